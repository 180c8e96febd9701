import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

/** Every setting leadgate reads from the environment, parsed once at boot. */
const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  /** Prepare hot statements once per connection; false behind a transaction-mode PgBouncer before 1.21. */
  DATABASE_PREPARED_STATEMENTS: bool.default(true),
  DATA_DIR: z.string().min(1).default('./data'),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  SYNC_WINDOW_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  ALLOW_PRIVATE_TARGETS: bool.default(false),
  DEMO: bool.optional(),
  SECRET_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, { message: 'must be 32 random bytes, base64-encoded' })
    .optional(),
  KEY_GRACE_HOURS: z.coerce.number().min(0).max(24 * 30).default(24),
  /** How long a worker's hold on a job lasts without renewal: a crashed worker's jobs run again after this. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(150),
  /** Accepted intake requests per affiliate per minute, shared by all API processes; 0 turns the limit off. */
  INTAKE_RATE_LIMIT: z.coerce.number().int().min(0).default(6000),
  SWEEP_AFTER_MS: z.coerce.number().int().min(1000).default(60_000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Redis key prefix for the queues: several leadgate installations can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[\w-]{1,40}$/, 'letters, digits, - and _ only').default('leadgate'),
  /** How affiliates and CRMs reach this server; the default follows PORT on loopback. */
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  PROJECTION_POLL_MS: z.coerce.number().int().min(10).default(1000),
  /** Multiplies the postback retry schedule's delays (5 s … 10 h); tests shrink it. */
  POSTBACK_RETRY_SCALE: z.coerce.number().positive().max(100).default(1),
  /** /readyz answers 503 while an async projection is more events behind than this (a rebuild excepted); 0 turns the check off. */
  READY_MAX_LAG_EVENTS: z.coerce.number().int().min(0).default(10_000),
});

export type Config = z.infer<typeof ConfigSchema> & { PUBLIC_URL: string };
export type StorageShape = 'embedded' | 'postgres' | 'postgres+redis';

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; a bad value throws a ConfigError naming each offending variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(
    Object.keys(ConfigSchema.shape).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])),
  );
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'environment'), message: i.message })),
    );
  }
  const config = { ...parsed.data, PUBLIC_URL: (parsed.data.PUBLIC_URL ?? `http://127.0.0.1:${parsed.data.PORT}`).replace(/\/$/, '') };
  if (config.REDIS_URL && !config.DATABASE_URL) {
    throw new ConfigError([
      { variable: 'REDIS_URL', message: 'needs DATABASE_URL too (events live in PostgreSQL; Redis only carries the queues)' },
    ]);
  }
  return config;
}

export function storageShape(config: Pick<Config, 'DATABASE_URL' | 'REDIS_URL'>): StorageShape {
  if (!config.DATABASE_URL) return 'embedded';
  return config.REDIS_URL ? 'postgres+redis' : 'postgres';
}
