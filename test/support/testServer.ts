import { cleanup } from './cleanup.js';
import { randomBytes } from 'node:crypto';

import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { boot, type Role, type Runtime } from '../../src/runtime.js';
import { createTestDatabase, redisUrl, uniquePrefix } from './databases.js';
import { HttpSession } from './http.js';

export type Shape = 'embedded' | 'postgres' | 'postgres+redis';
export const SHAPES: Shape[] = ['embedded', 'postgres', 'postgres+redis'];

export const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery' };
export const SECRET_KEY = randomBytes(32).toString('base64');

export interface TestServer {
  runtime: Runtime;
  url: string;
  /** A logged-in admin session (cookie + CSRF), ready to use. */
  admin: HttpSession;
  /** A session with no login. */
  anonymous: HttpSession;
}

/**
 * Boots leadgate (all roles, or `options.roles`; the API always) on a fresh database in the
 * given shape, on a random port, with the first admin from ADMIN; closed after the file's tests.
 */
export async function startTestServer(
  shape: Shape = 'postgres',
  env: Record<string, string> = {},
  options: { logLines?: string[]; roles?: Role[] } = {},
): Promise<TestServer> {
  const base: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    SECRET_KEY,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ALLOW_PRIVATE_TARGETS: 'true',
    DEMO: 'false',
    LOG_LEVEL: 'silent',
    PROJECTION_POLL_MS: '100',
  };
  let drop: (() => Promise<void>) | undefined;
  if (shape === 'embedded') base.DATA_DIR = ':memory:';
  else {
    const database = await createTestDatabase(shape.replace('+', '_'));
    drop = database.drop;
    base.DATABASE_URL = database.url;
    if (shape === 'postgres+redis') {
      base.REDIS_URL = redisUrl();
      base.QUEUE_PREFIX = uniquePrefix('srv');
    }
  }
  const config = loadConfig({ ...base, ...env });
  // With logLines, every log line the server writes is kept for the test to search.
  const sink = options.logLines ? { write: (line: string) => void options.logLines!.push(line) } : undefined;
  const runtime = await boot(config, { roles: options.roles, logger: createLogger(options.logLines ? 'debug' : config.LOG_LEVEL, sink) });
  cleanup(async () => {
    await runtime.close();
    await drop?.();
  });
  const url = runtime.url!;
  const admin = new HttpSession(url);
  await admin.login(ADMIN.email, ADMIN.password);
  return { runtime, url, admin, anonymous: new HttpSession(url) };
}
