import { text } from 'node:stream/consumers';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { ConfigError, loadConfig, type Config } from './config.js';
import { migrateToLatest } from './db/migrate.js';
import { createLogger } from './logger.js';
import { findProjections, asyncProjections } from './projections/registry.js';
import { replayProjections } from './projections/replay.js';
import { boot, openStorage, type Role, type Runtime } from './runtime.js';
import { createAdmin } from './cli/createAdmin.js';
import { formatStatus, readStatus } from './cli/status.js';

function config(overrides: Partial<Record<string, string>> = {}): Config {
  try {
    return loadConfig({ ...process.env, ...overrides });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

/** Runs roles until SIGTERM/SIGINT, then shuts down within SHUTDOWN_TIMEOUT_MS (a second signal exits at once). */
async function run(roles: Role[], overrides: Partial<Record<string, string>> = {}): Promise<void> {
  const cfg = config(overrides);
  const runtime = await boot(cfg, { roles });
  printWelcome(runtime);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    runtime.deps.logger.info({ signal }, 'shutting down');
    const hard = setTimeout(() => process.exit(1), cfg.SHUTDOWN_TIMEOUT_MS + 2000);
    hard.unref();
    void runtime.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * What a newcomer needs once: the generated admin password and the demo's curl. Printed to
 * the terminal, never logged: the logs must not hold secrets.
 */
function printWelcome(runtime: Runtime): void {
  const lines: string[] = [];
  if (runtime.firstAdmin?.generatedPassword) {
    lines.push(`First admin created: ${runtime.firstAdmin.email} / ${runtime.firstAdmin.generatedPassword}`, '  (shown once; set ADMIN_EMAIL and ADMIN_PASSWORD to choose them)');
  }
  if (runtime.demo) {
    lines.push(
      'Demo set up: product "Demo Broker" -> built-in sandbox CRM, affiliate "Demo Affiliate".',
      `Demo API key (shown once): ${runtime.demo.apiKey}`,
      'Send a lead:',
      `  ${runtime.demo.curl}`,
      'Sandbox CRM answers by email: +reject, +duplicate, +slow (15 s), +error (HTTP 500).',
    );
  }
  if (runtime.url) lines.push(`Console: ${runtime.url}/   API: ${runtime.url}/api/v1/leads`);
  if (lines.length > 0) process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

const program = new Command()
  .name('leadgate')
  .description('Leads via API gateway: intake, delivery to CRMs, reports and postbacks.')
  .showHelpAfterError();

program
  .command('start', { isDefault: true })
  .description('run everything in one process: API, workers and projections')
  .addOption(new Option('--no-demo', 'do not create the demo product, CRM and affiliate'))
  .action((opts: { demo: boolean }) => run(['api', 'worker', 'projector'], opts.demo ? {} : { DEMO: 'false' }));

program.command('api').description('run the HTTP API only').action(() => run(['api']));
program.command('worker').description('run the queue workers only (delivery, postbacks, sweeper)').action(() => run(['worker']));
program.command('projector').description('run the async projections only (reports, postback triggers)').action(() => run(['projector']));

program
  .command('migrate')
  .description('apply database migrations and exit')
  .action(async () => {
    const cfg = config();
    const storage = await openStorage(cfg, createLogger(cfg.LOG_LEVEL));
    try {
      const applied = await migrateToLatest(storage.db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    } finally {
      await storage.close();
    }
  });

program
  .command('replay')
  .description(`drop and rebuild async projections from the event log (${asyncProjections.map((p) => p.name).join(', ')})`)
  .argument('[projections...]', 'projection names')
  .option('--all', 'every async projection')
  .action(async (names: string[], opts: { all?: boolean }) => {
    if (!opts.all && names.length === 0) program.error('name one or more projections, or pass --all');
    const projections = opts.all ? [...asyncProjections] : findProjections(names);
    const cfg = config();
    const storage = await openStorage(cfg, createLogger('warn'));
    const bars = new cliProgress.MultiBar(
      {
        format: ' {projection} [{bar}] {percentage}% | {value}/{total} events | {rate} ev/s | ETA {eta_formatted}',
        hideCursor: true,
        noTTYOutput: true,
        notTTYSchedule: 2000,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = new Map<string, { bar: cliProgress.SingleBar; at: number }>();
    try {
      await migrateToLatest(storage.db);
      const results = await replayProjections(storage.db, projections, {
        onProgress: (p) => {
          let entry = started.get(p.projection);
          if (!entry) {
            entry = { bar: bars.create(Math.max(p.total, 1), 0, { projection: p.projection, rate: 0 }), at: Date.now() };
            started.set(p.projection, entry);
          }
          const seconds = Math.max((Date.now() - entry.at) / 1000, 0.001);
          entry.bar.setTotal(Math.max(p.total, p.done, 1));
          entry.bar.update(p.done, { rate: Math.round(p.done / seconds) });
        },
      });
      bars.stop();
      for (const r of results) console.log(`${r.projection}: rebuilt from ${r.done} events`);
    } finally {
      bars.stop();
      await storage.close();
    }
  });

program
  .command('status')
  .description('show queue depths, projection positions and lag, and stuck leads')
  .option('--json', 'print the report as JSON')
  .action(async (opts: { json?: boolean }) => {
    const report = await readStatus(config());
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
  });

program
  .command('create-admin')
  .description('add an admin who can log in to the console')
  .requiredOption('--email <email>', 'the login email')
  .option('--password <password>', 'at least 8 characters (visible to other users of this machine: prefer --password-stdin)')
  .option('--password-stdin', 'read the password from standard input')
  .action(async (opts: { email: string; password?: string; passwordStdin?: boolean }, command: Command) => {
    if (Boolean(opts.password) === Boolean(opts.passwordStdin)) command.error('give either --password or --password-stdin');
    const password = opts.passwordStdin ? (await text(process.stdin)).replace(/\r?\n$/, '') : opts.password!;
    const admin = await createAdmin(config(), { email: opts.email, password });
    console.log(`admin created: ${admin.email} (${admin.id})`);
  });

program.parseAsync().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
