/**
 * The fault-injection run (`npm run chaos`, `npm run chaos -- --short` in CI): leadgate's
 * roles as separate processes on the machine's PostgreSQL and Redis, leads pushed at a
 * steady rate while workers and the API are SIGKILLed and Redis and PostgreSQL restarted,
 * then every promise checked against the event log. Prints each figure; exits 1 if one fails.
 *
 * It restarts the machine's PostgreSQL and Redis: run it alone, never beside the test suite.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, createWriteStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { ensureBuild } from '../../scripts/build.mjs';
import { spawnLeadgate, waitFor, type Spawned } from '../support/spawnLeadgate.js';
import { HttpSession } from '../support/http.js';
import { restartPostgres, restartRedisLosingData } from './services.js';

const short = process.argv.includes('--short');
/** For trying the harness while other work uses the machine's services: only the process kills. */
const noRestarts = process.argv.includes('--no-restarts');
const LEADS = short ? 300 : 2000;
const DURATION_MS = short ? 20_000 : 60_000;
const SYNC_WINDOW_MS = 2000;
const ADMIN = { email: 'chaos@example.com', password: 'chaos-password-1' };
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const OUT = 'test-output/chaos';

const figures: { figure: string; value: string | number; ok: boolean }[] = [];
function check(figure: string, value: string | number, ok: boolean): void {
  figures.push({ figure, value, ok });
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${figure}: ${value}`);
}

/** The advertiser's CRM: 10 % answer 503, 5 % answer after the sync window; successes are registrations. */
async function startCrm() {
  const registrations = new Map<string, number>();
  let calls = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      calls++;
      const email = String((JSON.parse(body || '{}') as { email?: string }).email ?? '');
      const roll = Math.random();
      if (roll < 0.1) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"overloaded"}');
        return;
      }
      const answer = () => {
        registrations.set(email, (registrations.get(email) ?? 0) + 1);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', data: { login_url: `https://crm.example/l/${calls}`, customer_id: `c${calls}` } }));
      };
      if (roll < 0.15) setTimeout(answer, SYNC_WINDOW_MS + 1000);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, registrations, calls: () => calls, close: () => server.close() };
}

/** The affiliate's postback receiver: fails 10 % of calls; counts the 2xx it gave per (lead, event, transaction). */
async function startReceiver() {
  const delivered = new Map<string, number>();
  let calls = 0;
  const server = http.createServer((req, res) => {
    calls++;
    if (Math.random() < 0.1) {
      res.writeHead(503).end();
      return;
    }
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const key = `${q.get('lead')}|${q.get('event')}|${q.get('tx')}`;
    delivered.set(key, (delivered.get(key) ?? 0) + 1);
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, delivered, calls: () => calls, close: () => server.close() };
}

async function main(): Promise<void> {
  // The roles run the compiled bin: built once here rather than by the processes started together.
  await ensureBuild();
  mkdirSync(OUT, { recursive: true });
  const dbName = `leadgate_chaos_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const dbUrl = new URL(PG_URL);
  dbUrl.pathname = `/${dbName}`;
  const port = 21_000 + Math.floor(Math.random() * 9000);
  const env = {
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `chaos-${randomBytes(3).toString('hex')}`,
    SECRET_KEY: randomBytes(32).toString('base64'),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ALLOW_PRIVATE_TARGETS: 'true',
    DEMO: 'false',
    LOG_LEVEL: 'warn',
    SYNC_WINDOW_MS: String(SYNC_WINDOW_MS),
    INTAKE_RATE_LIMIT: '0',
    WORKER_LOCK_MS: '3000',
    SWEEP_AFTER_MS: '5000',
    PROJECTION_POLL_MS: '200',
    POSTBACK_RETRY_SCALE: '0.01',
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  const base = `http://127.0.0.1:${port}`;
  const processes = new Map<string, Spawned>();
  const start = (name: string, role: string) => {
    const p = spawnLeadgate([role], { env: { ...env, PORT: role === 'api' ? String(port) : '0' } });
    const log = createWriteStream(`${OUT}/${name}.log`, { flags: 'a' });
    // Both streams share one file: neither may end it (the first to finish would close it under
    // the other, and a later write crashes this runner); the file is closed once the child is gone.
    p.child.stdout?.pipe(log, { end: false });
    p.child.stderr?.pipe(log, { end: false });
    p.child.once('close', () => log.end());
    processes.set(name, p);
    return p;
  };
  const kill = async (name: string) => {
    const p = processes.get(name)!;
    p.child.kill('SIGKILL');
    await p.exited;
  };
  const crm = await startCrm();
  const receiver = await startReceiver();
  try {
    start('api', 'api');
    await waitFor(async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), 60_000, 'the API');
    start('worker-1', 'worker');
    start('worker-2', 'worker');
    start('projector', 'projector');

    const session = new HttpSession(base);
    await session.login(ADMIN.email, ADMIN.password);
    const ok = async <T>(p: Promise<{ status: number; body: T; text: string }>) => {
      const r = await p;
      if (r.status >= 300) throw new Error(`setup failed: ${r.status} ${r.text}`);
      return r.body as T & { id: string; key: string };
    };
    const product = await ok(session.post('/api/admin/products', { name: 'Chaos' }));
    const integration = await ok(
      session.post(`/api/admin/products/${product.id}/integrations`, {
        type: 'leads',
        name: 'Flaky CRM',
        request: { url: `${crm.url}/leads`, method: 'POST', format: 'json', body: { email: '{{email}}', first_name: '{{firstName}}', lead: '{{leadId}}' } },
        response: { successPath: 'status', successEquals: 'ok', autoLoginUrlPath: 'data.login_url', externalIdPath: 'data.customer_id', errorPath: 'message' },
        timeoutMs: 8000,
        retry: { attempts: 8, baseDelayMs: 200 },
      }),
    );
    const affiliate = await ok(session.post('/api/admin/affiliates', { name: 'Chaos affiliate', email: 'chaos-aff@example.com' }));
    const campaign = await ok(session.post(`/api/admin/affiliates/${affiliate.id}/campaigns`, { name: 'c', productId: product.id }));
    await ok(session.post(`/api/admin/affiliates/${affiliate.id}/api-integrations`, { integrationId: integration.id }));
    const key = await ok(session.post(`/api/admin/affiliates/${affiliate.id}/api-key`, {}));
    await ok(session.post(`/api/admin/affiliates/${affiliate.id}/ip-whitelist`, { from: '127.0.0.1' }));
    for (const event of ['signup', 'ftd']) {
      await ok(session.post(`/api/admin/affiliates/${affiliate.id}/postbacks`, { event, url: `${receiver.url}/pb?lead={lead_id}&event={event}&tx={transaction_id}` }));
    }
    const conversionSecret = (await ok(session.get(`/api/admin/products/${product.id}`))) as unknown as { conversionSecret: string };

    // The advertiser reports a signup and an FTD for a share of delivered leads, retrying
    // through outages as an advertiser's system would.
    const conversions: string[] = [];
    const convert = async (leadId: string, event: 'signup' | 'ftd') => {
      const transactionId = `${event}-${leadId}`;
      for (let attempt = 0; attempt < 30; attempt++) {
        try {
          const res = await fetch(`${base}/api/v1/conversions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-conversion-secret': conversionSecret.conversionSecret },
            body: JSON.stringify({ leadId, event, transactionId, ...(event === 'ftd' ? { amount: 100, currency: 'USD' } : {}) }),
            signal: AbortSignal.timeout(10_000),
          });
          if (res.status === 201 || res.status === 200) {
            if (res.status === 201 || !conversions.includes(`${leadId}|${event}|${transactionId}`)) conversions.push(`${leadId}|${event}|${transactionId}`);
            return;
          }
        } catch {
          // the API is restarting or the database is down: try again
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    const conversionRuns: Promise<void>[] = [];

    // The faults, spread over the load.
    const at = (fraction: number, what: string, fault: () => Promise<void> | void) =>
      new Promise<void>((resolve) =>
        setTimeout(async () => {
          console.log(`fault at ${Math.round((fraction * DURATION_MS) / 1000)} s: ${what}`);
          try {
            await fault();
          } catch (err) {
            console.log(`  fault step failed: ${(err as Error).message}`);
          }
          resolve();
        }, fraction * DURATION_MS),
      );
    const faults = Promise.all([
      at(0.15, 'SIGKILL worker-1 (restarted after 1 s)', async () => {
        await kill('worker-1');
        await new Promise((r) => setTimeout(r, 1000));
        start('worker-1', 'worker');
      }),
      at(0.3, 'SIGKILL the API (restarted at once)', async () => {
        await kill('api');
        start('api', 'api');
      }),
      at(0.45, 'restart Redis, losing its data', () => (noRestarts ? undefined : restartRedisLosingData())),
      at(0.6, 'restart PostgreSQL', () => (noRestarts ? undefined : restartPostgres())),
      at(0.75, 'SIGKILL worker-2 (restarted after 1 s)', async () => {
        await kill('worker-2');
        await new Promise((r) => setTimeout(r, 1000));
        start('worker-2', 'worker');
      }),
    ]);

    // The load: LEADS leads at a steady rate, each with its own email, none awaited by the next.
    type Outcome = { status: number | 'error' | 'timeout'; leadId?: string; retryAfter?: string | null };
    const outcomes: Outcome[] = [];
    const sends: Promise<void>[] = [];
    const started = Date.now();
    for (let i = 0; i < LEADS; i++) {
      const due = started + (i * DURATION_MS) / LEADS;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      const body = JSON.stringify({ campaignId: campaign.id, firstName: 'Chaos', lastName: `Lead${i}`, email: `chaos${i}@example.com`, country: 'PT' });
      sends.push(
        (async () => {
          try {
            const res = await fetch(`${base}/api/v1/leads`, {
              method: 'POST',
              headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
              body,
              signal: AbortSignal.timeout(SYNC_WINDOW_MS + 15_000),
            });
            const json = (await res.json().catch(() => ({}))) as { leadId?: string };
            outcomes.push({ status: res.status, leadId: json.leadId, retryAfter: res.headers.get('retry-after') });
            if (res.status === 200 && json.leadId && i % 5 === 0) {
              const leadId = json.leadId;
              conversionRuns.push(convert(leadId, 'signup').then(() => convert(leadId, 'ftd')));
            }
          } catch (err) {
            outcomes.push({ status: (err as Error).name === 'TimeoutError' ? 'timeout' : 'error' });
          }
        })(),
      );
    }
    await Promise.all(sends);
    await faults;
    await Promise.all(conversionRuns);

    const byStatus = new Map<string, number>();
    for (const o of outcomes) byStatus.set(String(o.status), (byStatus.get(String(o.status)) ?? 0) + 1);
    console.log(`answers: ${[...byStatus].map(([s, n]) => `${s}×${n}`).join(', ')}`);
    const accepted = outcomes.filter((o) => typeof o.status === 'number' && o.leadId && [200, 202, 422, 502, 504].includes(o.status));
    // Requests sent while the API process was down (it was SIGKILLed and is booting again)
    // get no answer at all; every other request must have got the contract's answer.
    check('leads accepted (2xx, or a CRM outcome with a lead id)', `${accepted.length} of ${LEADS}`, accepted.length > 0);
    check('500 answers', byStatus.get('500') ?? 0, (byStatus.get('500') ?? 0) === 0);
    check('requests that hung past the window', byStatus.get('timeout') ?? 0, (byStatus.get('timeout') ?? 0) === 0);
    const unavailable = outcomes.filter((o) => o.status === 503);
    check('503 answers during outages, all with Retry-After', `${unavailable.length} (${unavailable.filter((o) => o.retryAfter).length} with Retry-After)`, unavailable.every((o) => o.retryAfter));
    check('connection errors while the API was down (no answer at all)', byStatus.get('error') ?? 0, true);

    // Settle: every accepted lead reaches an outcome, and the projector catches up.
    const db = new pg.Client({ connectionString: env.DATABASE_URL });
    await waitFor(async () => {
      try {
        await db.connect();
        return true;
      } catch {
        return undefined;
      }
    }, 30_000, 'the database');
    const pending = async () => Number((await db.query(`select count(*) from leads where status = 'pending'`)).rows[0].count);
    const settleStarted = Date.now();
    await waitFor(async () => ((await pending()) === 0 ? true : undefined), 240_000, 'every lead to reach an outcome').catch(() => undefined);
    check('leads still pending after settling', await pending(), (await pending()) === 0);
    console.log(`settled in ${Math.round((Date.now() - settleStarted) / 1000)} s`);

    const finals = await db.query(`
      select stream_id, count(*) filter (where type in ('LeadDelivered','LeadRejected','LeadDeliveryFailed')) as finals,
             count(*) filter (where type = 'DeliveryAttemptFailed' and (data->>'outcomeUnknown')::boolean) as unknown
      from events where stream_id like 'lead-%' group by stream_id`);
    const finalsByLead = new Map(finals.rows.map((r: { stream_id: string; finals: string; unknown: string }) => [r.stream_id.slice(5), { finals: Number(r.finals), unknown: Number(r.unknown) }]));
    const notExactlyOne = accepted.filter((o) => finalsByLead.get(o.leadId!)?.finals !== 1);
    check('answered leads without exactly one final outcome', notExactlyOne.length, notExactlyOne.length === 0);
    // Leads stored whose request lost its answer (the API was killed while it waited) count too.
    const anyNotOne = [...finalsByLead.values()].filter((f) => f.finals !== 1).length;
    check('stored leads (answered or not) without exactly one final outcome', `${anyNotOne} of ${finalsByLead.size}`, anyNotOne === 0);

    const emails = await db.query(`select lead_id, email_norm from leads`);
    const doubled: string[] = [];
    const excused: string[] = [];
    for (const row of emails.rows as { lead_id: string; email_norm: string }[]) {
      const n = crm.registrations.get(row.email_norm) ?? 0;
      if (n <= 1) continue;
      if ((finalsByLead.get(row.lead_id)?.unknown ?? 0) > 0) excused.push(`${row.lead_id}×${n}`);
      else doubled.push(`${row.lead_id}×${n}`);
    }
    check('leads the CRM registered twice without an outcome-unknown attempt', doubled.length ? doubled.join(' ') : 0, doubled.length === 0);
    check('leads registered twice after an attempt whose outcome was unknown (counted, allowed)', excused.length ? excused.join(' ') : 0, true);
    check('CRM calls in all', crm.calls(), true);

    // Every conversion produced exactly its postback, none twice.
    await waitFor(async () => (conversions.every((k) => receiver.delivered.has(k)) ? true : undefined), 120_000, 'every postback').catch(() => undefined);
    const missing = conversions.filter((k) => !receiver.delivered.has(k));
    // Postbacks are at-least-once: an attempt interrupted between the receiver's answer and its
    // record (a worker killed, PostgreSQL restarting) is recorded as outcome unknown and sent
    // again. Those are counted apart; a second delivery without one is a fault.
    const interrupted = await db.query(`
      select distinct d.lead_id || '|' || d.event as key from postback_deliveries d
      join events e on e.stream_id = 'postback-' || d.id
      where e.type = 'PostbackAttempted' and (e.data->>'outcomeUnknown')::boolean`);
    const interruptedKeys = new Set(interrupted.rows.map((r: { key: string }) => r.key));
    const deliveredTwice = [...receiver.delivered].filter(([, n]) => n > 1).map(([k]) => k);
    const isExcused = (k: string) => interruptedKeys.has(k.split('|').slice(0, 2).join('|'));
    const twice = deliveredTwice.filter((k) => !isExcused(k));
    const twiceExcused = deliveredTwice.filter(isExcused);
    const unexpected = [...receiver.delivered.keys()].filter((k) => !conversions.includes(k));
    check('conversions recorded (for a fifth of the leads answered 200)', conversions.length, true);
    check('conversions whose postback never arrived', missing.length ? missing.slice(0, 5).join(' ') : 0, missing.length === 0);
    check('postbacks delivered twice without an outcome-unknown attempt', twice.length ? twice.slice(0, 5).join(' ') : 0, twice.length === 0);
    check('postbacks delivered twice after an interrupted attempt (counted, allowed)', twiceExcused.length ? twiceExcused.slice(0, 5).join(' ') : 0, true);
    check('postbacks with no conversion behind them', unexpected.length, unexpected.length === 0);
    check('postback receiver calls in all (10 % answered 503 and were retried)', receiver.calls(), true);

    // The read side equals the log.
    const head = await db.query(`select max(global_position) as head, count(*) filter (where type = 'LeadReceived') as received from events`);
    await waitFor(async () => {
      const c = await db.query(`select min(global_position) as pos from projection_checkpoints`);
      return Number(c.rows[0].pos) >= Number(head.rows[0].head) ? true : undefined;
    }, 60_000, 'the projections to catch up').catch(() => undefined);
    const lag = await db.query(`select name, global_position from projection_checkpoints`);
    for (const r of lag.rows as { name: string; global_position: string }[]) {
      check(`projection ${r.name} at the head of the log`, `${r.global_position}/${head.rows[0].head}`, Number(r.global_position) >= Number(head.rows[0].head));
    }
    const mismatch = await db.query(`
      select count(*) from leads l full join leads_report r on r.lead_id = l.lead_id
      where r.lead_id is null or l.lead_id is null or r.status <> l.status`);
    const reportRows = await db.query(`select count(*) from leads_report where status not in ('refused','duplicate')`);
    check('report rows', `${reportRows.rows[0].count} for ${head.rows[0].received} LeadReceived events`, Number(reportRows.rows[0].count) === Number(head.rows[0].received));
    check('report rows whose status differs from the lead (or missing)', Number(mismatch.rows[0].count), Number(mismatch.rows[0].count) === 0);
    const summary = await db.query(`select coalesce(sum(leads),0) as leads, coalesce(sum(delivered),0) as delivered, coalesce(sum(rejected),0) as rejected,
      coalesce(sum(failed),0) as failed, coalesce(sum(pending),0) as pending, coalesce(sum(signups),0) as signups, coalesce(sum(ftds),0) as ftds from daily_summary`);
    const truth = await db.query(`select count(*) as leads, count(*) filter (where status='delivered') as delivered, count(*) filter (where status='rejected') as rejected,
      count(*) filter (where status='failed') as failed, count(*) filter (where status='pending') as pending from leads`);
    const s0 = summary.rows[0] as Record<string, string>;
    const t0 = truth.rows[0] as Record<string, string>;
    const expectedSignups = new Set(conversions.map((k) => k.split('|')[0])).size;
    const expectedFtds = conversions.filter((k) => k.includes('|ftd|')).length;
    const want = { ...t0, signups: String(expectedSignups), ftds: String(expectedFtds) };
    const differs = Object.keys(want).filter((k) => Number(s0[k]) !== Number(want[k as keyof typeof want]));
    check('summary counts equal the log (leads, delivered, rejected, failed, pending, signups, ftds)', differs.length ? `differ: ${differs.map((k) => `${k} ${s0[k]}≠${want[k as keyof typeof want]}`).join(', ')}` : JSON.stringify(s0), differs.length === 0);
    await db.end();
  } finally {
    for (const p of processes.values()) p.child.kill('SIGKILL');
    crm.close();
    receiver.close();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect().then(() => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch(() => undefined);
    await c.end().catch(() => undefined);
  }
  const failed = figures.filter((f) => !f.ok);
  console.log(`\nchaos: ${figures.length - failed.length} figures ok, ${failed.length} failed`);
  process.exit(failed.length === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
