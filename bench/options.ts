/** What one `npm run bench` does: how long, how big, against which servers. */
export interface BenchOptions {
  quick: boolean;
  /** Exit 1 when a target is missed (otherwise pass/fail is only reported). */
  strict: boolean;
  /** Figures to run (ids of bench/figures); all when empty. */
  only: string[];
  runs: number;
  connections: number;
  /** Seconds of load per measured run, and of warm-up before the first. */
  durationS: number;
  warmupS: number;
  /** Seconds per run of the one-connection latency figure. */
  latencyDurationS: number;
  /** Leads accepted before the workers start draining them. */
  deliveryLeads: number;
  replayEvents: number;
  reportLeads: number;
  reportQueries: number;
  /** Also measure `leadgate start` (workers delivering on the same cores) next to the api role's accept figures. */
  acceptWithWorkers: boolean;
  /** Upper bound of one figure, leadgate and baseline together. */
  figureTimeoutMs: number;
  /** Server with a database the bench may create fresh databases on. */
  postgresUrl: string;
  redisUrl: string;
  outDir: string;
}

const FULL = {
  runs: 3,
  durationS: 10,
  warmupS: 3,
  latencyDurationS: 5,
  deliveryLeads: 5_000,
  replayEvents: 1_000_000,
  reportLeads: 1_000_000,
  reportQueries: 200,
  acceptWithWorkers: true,
  figureTimeoutMs: 8 * 60_000,
};

const QUICK: typeof FULL = {
  runs: 1,
  durationS: 2,
  warmupS: 1,
  latencyDurationS: 1,
  deliveryLeads: 500,
  replayEvents: 10_000,
  reportLeads: 10_000,
  reportQueries: 40,
  acceptWithWorkers: false,
  figureTimeoutMs: 90_000,
};

const USAGE = `usage: npm run bench [-- --quick] [--strict] [--only=accept,sync,...]
  --quick    short runs and small datasets (a smoke run for CI, well under 2 minutes)
  --strict   exit 1 when a target is missed
  --only     run only these figures
environment: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_REDIS_URL (default redis://127.0.0.1:6379)`;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  let quick = false;
  let strict = false;
  let only: string[] = [];
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--strict') strict = true;
    else if (arg.startsWith('--only=')) only = arg.slice('--only='.length).split(',').filter(Boolean);
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`unknown argument ${arg}\n${USAGE}`);
      process.exit(2);
    }
  }
  return {
    quick,
    strict,
    only,
    connections: 50,
    ...(quick ? QUICK : FULL),
    postgresUrl: env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
    outDir: 'test-output/bench',
  };
}

/** A script's own arguments as `parse` reads them; a bad one is printed, and the script exits with 2. */
export function argumentsOrExit<T>(parse: (argv: readonly string[]) => T): T {
  try {
    return parse(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
}
