import { sql, type Kysely } from 'kysely';
import { Pool } from 'undici';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { Database } from '../../src/db/schema.js';
import { openPostgres } from '../../src/db/storage.js';
import { asyncProjections } from '../../src/projections/registry.js';
import { ensureCheckpoint, storeCheckpoint } from '../../src/projections/checkpoints.js';
import { replayProjections } from '../../src/projections/replay.js';
import { DATASET_AFFILIATES, reportWindow, writeLeadLog, writeLeadsReport } from '../dataset.js';
import { fmt, type Figure, type FigureContext, type FigureRow } from '../figure.js';
import { createDatabase, queuePrefix } from '../infra.js';
import { adminToken, startLeadgate } from '../leadgate.js';
import { percentile } from '../load.js';

const DAYS = 180;
const PAGE_TARGET_MS = 50;
const SUMMARY_TARGET_MS = 100;

type Query = (i: number) => Promise<number>;

/**
 * The report page (50 rows of one affiliate in a 30-day range) and the summary by day over
 * 30 days, on N leads, one request at a time: through leadgate's admin reports API when the
 * running code has it, else the equivalent query on the read model, said so in the row.
 */
export const reportsFigure: Figure = {
  id: 'reports',
  title: 'report page and summary',
  async run(ctx: FigureContext): Promise<FigureRow[]> {
    const { options, cleanup } = ctx;
    const db = await createDatabase(options.postgresUrl, 'reports', cleanup);
    const storage = await openPostgres(db.url);
    cleanup.add('close reports storage', () => storage.close());
    await migrateToLatest(storage.db);
    await buildReadModels(ctx, storage.db);

    ctx.log('starting leadgate api on it');
    const leadgate = await startLeadgate(
      { label: 'reports', role: 'api', databaseUrl: db.url, redisUrl: options.redisUrl, queuePrefix: queuePrefix(options.redisUrl, 'reports', cleanup) },
      cleanup,
    );
    const token = await adminToken(leadgate.url);
    const http = new Pool(leadgate.url, { connections: 1 });
    cleanup.add('close reports client', () => http.close());
    const get = async (path: string): Promise<{ status: number; body: unknown }> => {
      const res = await http.request({ method: 'GET', path, headers: { authorization: `Bearer ${token}` }, headersTimeout: 30_000, bodyTimeout: 30_000 });
      const text = await res.body.text();
      return { status: res.statusCode, body: res.statusCode === 200 ? JSON.parse(text) : text };
    };
    const windowOf = (i: number) => reportWindow(DAYS, (i % 5) * 30);
    const range = (i: number) => {
      const { from, to } = windowOf(i);
      return `from=${from.toISOString()}&to=${to.toISOString()}`;
    };

    ctx.log('probing the reports API');
    const pagePath = (i: number) => `/api/admin/reports/leads?affiliateId=af_bench${i % DATASET_AFFILIATES}&${range(i)}&limit=50`;
    const pageProbe = await get(pagePath(0));
    const pageViaApi = pageProbe.status === 200;
    const pageQuery: Query = pageViaApi
      ? async (i) => expectRows(await get(pagePath(i)))
      : async (i) => {
          const { from, to } = windowOf(i);
          const rows = await storage.db
            .selectFrom('leads_report')
            .selectAll()
            .where('affiliate_id', '=', `af_bench${i % DATASET_AFFILIATES}`)
            .where('received_at', '>=', from)
            .where('received_at', '<', to)
            .where('test', '=', false)
            .orderBy('received_at', 'desc')
            .orderBy('lead_id', 'desc')
            .limit(50)
            .execute();
          return rows.length;
        };
    ctx.log(`report page via ${pageViaApi ? 'GET /api/admin/reports/leads' : `a Kysely query on leads_report (the API answered ${pageProbe.status})`}`);
    const page = await timeQueries(pageQuery, options.reportQueries);

    const summaryPath = (i: number) => `/api/admin/reports/summary?groupBy=day&${range(i)}`;
    const summaryProbe = await get(summaryPath(0));
    const summaryTable = summaryProbe.status === 200 ? undefined : await dateColumnOf(storage.db, 'daily_summary');
    let summaryVia: string;
    let summaryQuery: Query | undefined;
    if (summaryProbe.status === 200) {
      summaryVia = 'GET /api/admin/reports/summary';
      summaryQuery = async (i) => expectRows(await get(summaryPath(i)));
    } else if (summaryTable) {
      summaryVia = `a query on daily_summary (the API answered ${summaryProbe.status})`;
      summaryQuery = async (i) => {
        const { from, to } = windowOf(i);
        const { rows } = await sql`select * from daily_summary where ${sql.ref(summaryTable)} >= ${from} and ${sql.ref(summaryTable)} < ${to}`.execute(storage.db);
        return rows.length;
      };
    } else {
      summaryVia = `n/a: not built (the API answered ${summaryProbe.status}, no daily_summary table)`;
    }
    ctx.log(`summary via ${summaryVia}`);
    const summary = summaryQuery ? await timeQueries(summaryQuery, options.reportQueries) : undefined;
    // What a summary computed on the fly from the report's rows would cost: a yardstick while there is none.
    const onTheFly = summary ? undefined : await timeQueries((i) => groupByDay(storage.db, windowOf(i)), Math.min(options.reportQueries, 20));
    await leadgate.stop();

    const leads = options.reportLeads.toLocaleString('en-US');
    return [
      {
        figure: `report page: 50 rows, 1 affiliate, 30 days (${leads} leads), p95`,
        leadgate: fmt.ms(page.p95),
        baseline: '—',
        ratio: null,
        target: `≤ ${PAGE_TARGET_MS} ms`,
        pass: Number.isFinite(page.p95) ? page.p95 <= PAGE_TARGET_MS && page.rows === 50 : null,
        notes: [
          pageViaApi ? 'measured through GET /api/admin/reports/leads' : `NOT through the API (it answered ${pageProbe.status}): the equivalent Kysely query on leads_report`,
          ...(page.rows === 50 ? [] : [`a page had ${page.rows} rows, expected 50`]),
          `p50 ${fmt.ms(page.p50)}`,
        ],
        data: { via: pageViaApi ? 'api' : 'kysely', ...page },
      },
      summary
        ? {
            figure: `summary by day, 30 days (${leads} leads), p95`,
            leadgate: fmt.ms(summary.p95),
            baseline: '—',
            ratio: null,
            target: `≤ ${SUMMARY_TARGET_MS} ms`,
            pass: Number.isFinite(summary.p95) ? summary.p95 <= SUMMARY_TARGET_MS : null,
            notes: [`measured through ${summaryVia}`, `p50 ${fmt.ms(summary.p50)}`],
            data: { via: summaryVia, ...summary },
          }
        : {
            figure: `summary by day, 30 days (${leads} leads), p95`,
            leadgate: 'n/a: not built',
            baseline: '—',
            ratio: null,
            target: `≤ ${SUMMARY_TARGET_MS} ms`,
            pass: null,
            notes: [summaryVia, `for scale: GROUP BY day on leads_report takes p95 ${fmt.ms(onTheFly!.p95)}`],
            data: { via: 'none', groupByOnLeadsReport: onTheFly },
          },
    ];
  },
};

/**
 * Fills the read models with N leads. The leads report's rows are written directly; any other
 * projection that looks like a report (a table named …report…, …summary…, …daily…) is
 * rebuilt from a log of the same leads, so whatever read model the reports use has the data.
 */
async function buildReadModels(ctx: FigureContext, db: Kysely<Database>): Promise<void> {
  const leads = ctx.options.reportLeads;
  const started = performance.now();
  ctx.log(`writing ${leads.toLocaleString('en-US')} rows of leads_report`);
  await writeLeadsReport(db, { leads, affiliates: DATASET_AFFILIATES, days: DAYS });
  const others = asyncProjections.filter((p) => p.name !== 'leads_report' && p.tables.some((t) => /report|summary|daily/.test(t)));
  if (others.length > 0) {
    ctx.log(`writing the log of ${leads.toLocaleString('en-US')} leads and replaying ${others.map((p) => p.name).join(', ')}`);
    await writeLeadLog(db, { leads, outcomes: false, affiliates: DATASET_AFFILIATES, days: DAYS });
    await replayProjections(db, others);
    for (const p of others) for (const table of p.tables) await sql`analyze ${sql.table(table)}`.execute(db);
  }
  // Every projection now reflects the log (leads_report was written to match it; the others
  // have nothing to do for leads of affiliates without postbacks): their checkpoints say so,
  // or leadgate would report them lagging and not ready.
  await markCaughtUp(db);
  ctx.log(`read models built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function markCaughtUp(db: Kysely<Database>): Promise<void> {
  const last = await db
    .selectFrom('events')
    .select([sql<string>`transaction_id::text`.as('transaction_id'), 'global_position', 'created_at'])
    .orderBy('transaction_id', 'desc')
    .orderBy('global_position', 'desc')
    .limit(1)
    .executeTakeFirst();
  await db.transaction().execute(async (trx) => {
    for (const p of asyncProjections) {
      await ensureCheckpoint(db, p.name);
      if (last) await storeCheckpoint(trx, p.name, { transactionId: last.transaction_id, globalPosition: String(last.global_position) }, last.created_at);
    }
  });
}

/** Runs the query n times, one at a time after a few warm-up calls; latency percentiles in ms. */
async function timeQueries(query: Query, n: number): Promise<{ p50: number; p95: number; rows: number }> {
  for (let i = 0; i < 5; i++) await query(i);
  const times: number[] = [];
  let rows = Infinity;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    rows = Math.min(rows, await query(i));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), rows };
}

function expectRows(res: { status: number; body: unknown }): number {
  if (res.status !== 200) throw new Error(`reports API answered ${res.status}: ${String(res.body).slice(0, 200)}`);
  return (res.body as { rows: unknown[] }).rows.length;
}

/** The first date or timestamp column of a table, or undefined when the table does not exist. */
async function dateColumnOf(db: Kysely<Database>, table: string): Promise<string | undefined> {
  const { rows } = await sql<{ column_name: string }>`
    select column_name from information_schema.columns
    where table_schema = 'public' and table_name = ${table} and data_type in ('date', 'timestamp with time zone', 'timestamp without time zone')
    order by ordinal_position limit 1`.execute(db);
  return rows[0]?.column_name;
}

async function groupByDay(db: Kysely<Database>, window: { from: Date; to: Date }): Promise<number> {
  const { rows } = await sql`
    select date_trunc('day', received_at at time zone 'UTC')::date as key, count(*) as leads,
      count(*) filter (where status = 'delivered') as delivered, count(*) filter (where status = 'rejected') as rejected,
      count(*) filter (where status = 'failed') as failed, count(*) filter (where status = 'pending') as pending,
      count(signup_at) as signups, count(ftd_at) as ftds, coalesce(sum(ftd_amount), 0) as ftd_amount
    from leads_report where received_at >= ${window.from} and received_at < ${window.to} and not test
    group by 1 order by 1`.execute(db);
  return rows.length;
}
