import Router from '@koa/router';
import type { Context } from 'koa';
import type { Logger } from '../../logger.js';
import { CSV_CONTENT_TYPE, csvStream, primed } from '../../reports/csv.js';
import { allLeads, LEAD_FIELDS, leadsPage } from '../../reports/leadsQuery.js';
import { LeadsQuery, presentParams, SummaryQuery, type ReportScope } from '../../reports/reportQuery.js';
import { SUMMARY_FIELDS, summaryRows } from '../../reports/summaryQuery.js';
import { authenticate, principalOf } from '../auth/authenticate.js';
import { SESSION_COOKIE } from '../auth/sessions.js';
import type { AppDeps } from '../deps.js';
import { authenticateAffiliate } from '../intake/affiliateAuth.js';
import { validate } from '../validate.js';

/**
 * An employee token (`Bearer lge_…`), or a console session when no key is sent, is a console
 * login; anything else is an affiliate API key (`lg_…`, Bearer or X-Api-Key).
 */
function presentsConsoleLogin(ctx: Context): boolean {
  const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
  if (bearer) return bearer.startsWith('lge_');
  return !ctx.get('x-api-key') && ctx.cookies.get(SESSION_COOKIE) !== undefined;
}

/**
 * Who is asking, as the rows it may see: an affiliate key (with its IP check) or an affiliate
 * user's session sees its own affiliate's rows; an employee sees everyone's.
 */
async function scopeOf(deps: AppDeps, ctx: Context): Promise<ReportScope> {
  if (!presentsConsoleLogin(ctx)) return { affiliateId: (await authenticateAffiliate(deps, ctx)).affiliateId };
  await authenticate(deps.storage.db, ['admin', 'manager', 'affiliate'])(ctx, async () => undefined);
  const principal = principalOf(ctx);
  return principal.kind === 'employee' ? {} : { affiliateId: principal.affiliateId };
}

function streamCsv<T extends Record<string, string | number | boolean | null>>(
  ctx: Context,
  name: string,
  columns: readonly (keyof T & string)[],
  pages: AsyncIterable<readonly T[]> | Iterable<readonly T[]>,
): void {
  const logger = ctx.state.logger as Logger | undefined;
  // Set before the body, or Koa would type a stream body as application/octet-stream.
  ctx.set('Content-Type', CSV_CONTENT_TYPE);
  ctx.set('Content-Disposition', `attachment; filename="${name}.csv"`);
  ctx.body = csvStream(columns, pages, (err: Error & { code?: string }) => {
    // A client that stops reading is not a failure of ours.
    if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') logger?.error({ err }, `${name} CSV export failed mid-stream`);
  });
}

async function serveLeads(deps: AppDeps, ctx: Context, scope: ReportScope): Promise<void> {
  const query = validate(LeadsQuery, presentParams(ctx.query));
  if (query.format === 'csv') {
    // The whole export, whatever `limit` says; the first page runs before any byte is sent.
    const { limit: _limit, cursor: _cursor, ...filters } = query;
    return streamCsv(ctx, 'leads', LEAD_FIELDS, await primed(allLeads(deps.storage.db, filters, scope)));
  }
  ctx.body = await leadsPage(deps.storage.db, query, scope);
}

async function serveSummary(deps: AppDeps, ctx: Context, scope: ReportScope): Promise<void> {
  const query = validate(SummaryQuery, presentParams(ctx.query));
  const rows = await summaryRows(deps.storage.db, query, scope);
  if (query.format === 'csv') return streamCsv(ctx, 'summary', SUMMARY_FIELDS, [rows]);
  ctx.body = { rows };
}

/** API Reports: GET /api/v1/reports/leads and /summary, for an affiliate key or a console login. */
export function reportRoutes(deps: AppDeps): Router {
  const router = new Router({ prefix: '/api/v1/reports' });
  router.get('/leads', async (ctx) => serveLeads(deps, ctx, await scopeOf(deps, ctx)));
  router.get('/summary', async (ctx) => serveSummary(deps, ctx, await scopeOf(deps, ctx)));
  return router;
}

/** The same reports under /api/admin (which authenticates employees): every affiliate, `affiliateId` a filter. */
export function adminReportRoutes(deps: AppDeps): Router {
  const router = new Router();
  router.get('/reports/leads', async (ctx) => serveLeads(deps, ctx, {}));
  router.get('/reports/summary', async (ctx) => serveSummary(deps, ctx, {}));
  return router;
}
