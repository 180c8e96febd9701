import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';

/** The table every baseline inserts into: one row a lead, the body as jsonb. */
export const BASELINE_TABLE_SQL = `create table if not exists bench_leads (
  id bigint generated always as identity primary key,
  email text not null,
  data jsonb not null,
  created_at timestamptz not null default now()
)`;

/**
 * The bare stack the issue compares intake with: Koa, @koa/router and @koa/bodyparser, one
 * route, no auth, no validation beyond "a JSON object". `handle` does the baseline's work and
 * returns the status and body to answer.
 */
export async function serveBare(
  port: number,
  handle: (lead: Record<string, unknown>) => Promise<{ status: number; body: unknown }>,
  onStop: () => Promise<void>,
): Promise<void> {
  const app = new Koa();
  const router = new Router();
  router.post('/api/v1/leads', async (ctx: Context) => {
    const lead = ctx.request.body as Record<string, unknown> | undefined;
    if (!lead || typeof lead !== 'object') ctx.throw(400);
    const answer = await handle(lead!);
    ctx.status = answer.status;
    ctx.body = answer.body;
  });
  router.get('/readyz', (ctx) => {
    ctx.body = { status: 'ready' };
  });
  app.use(bodyParser({ jsonLimit: '64kb' }));
  app.use(router.routes());
  const server = app.listen(port, '127.0.0.1');
  server.keepAliveTimeout = 65_000;
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close();
    void onStop().finally(() => process.exit(0));
  });
}

/** A required environment variable of a baseline process. */
export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
