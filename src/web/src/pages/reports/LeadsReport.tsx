import { useState } from 'react';
import { withQuery } from '../../api/client';
import type { LeadsPage, SummaryRow } from '../../api/types';
import { Async, Empty, Loading, Unavailable } from '../../components/Status';
import { useApi } from '../../lib/useApi';
import { DailyChart } from './DailyChart';
import { apiQuery, type ReportFilters } from './filters';
import { LeadsTable } from './LeadsTable';
import { SummaryCards, totalOf } from './SummaryCards';

const PAGE = 50;

/**
 * The Leads via API report over `base` (/api/admin/reports for employees, /api/v1/reports for
 * an affiliate): totals, the daily chart and the table, paged by the API's cursor.
 */
export function LeadsReport({ base, filters, affiliateName, timeline, probe = false }: { base: string; filters: ReportFilters; affiliateName?: (id: string) => string; timeline: boolean; probe?: boolean }) {
  const query = apiQuery(filters, Boolean(affiliateName));
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = useApi<LeadsPage>(withQuery(`${base}/leads`, { ...query, limit: PAGE, cursor }), { probe });
  const summary = useApi<{ rows: SummaryRow[] }>(withQuery(`${base}/summary`, { ...query, groupBy: 'day' }), { probe });

  return (
    <div className="stack">
      <section className="card" aria-labelledby="daily-title">
        <h2 id="daily-title">
          Daily: {filters.from} to {filters.to}
        </h2>
        {summary.error !== undefined ? (
          <Unavailable error={summary.error} what="The summary report" />
        ) : summary.data ? (
          <>
            <SummaryCards row={totalOf(summary.data.rows)} />
            {summary.data.rows.length === 0 ? <Empty>No data for these dates.</Empty> : <DailyChart rows={summary.data.rows} from={filters.from} to={filters.to} />}
          </>
        ) : (
          <Loading />
        )}
      </section>
      <section className="card" aria-labelledby="leads-title">
        <div className="section-header">
          <h2 id="leads-title">Leads</h2>
          {page.data ? (
            <a className="btn btn-small" href={withQuery(`${base}/leads`, { ...query, format: 'csv', limit: 1000 })} download="leads.csv">
              Export CSV
            </a>
          ) : null}
        </div>
        {page.error !== undefined ? (
          <Unavailable error={page.error} what="The leads report" />
        ) : (
          <Async resource={page} what="Leads">
            {(data) =>
              data.rows.length === 0 ? (
                <Empty>{cursors.length ? 'No more leads.' : 'No leads match these filters and dates.'}</Empty>
              ) : (
                <>
                  <LeadsTable rows={data.rows} affiliateName={affiliateName} timeline={timeline} />
                  <nav className="pager" aria-label="Pages">
                    <button type="button" className="btn btn-small" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
                      ← Newer
                    </button>
                    <span>
                      Page {cursors.length + 1}
                      {page.loading ? ' (loading…)' : ''}
                    </span>
                    <button type="button" className="btn btn-small" disabled={!data.nextCursor} onClick={() => data.nextCursor && setCursors([...cursors, data.nextCursor])}>
                      Older →
                    </button>
                  </nav>
                </>
              )
            }
          </Async>
        )}
      </section>
    </div>
  );
}
