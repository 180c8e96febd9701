import { withQuery } from '../../api/client';
import type { Affiliate, SummaryRow } from '../../api/types';
import { Empty, Loading, Unavailable } from '../../components/Status';
import { utcDay } from '../../lib/format';
import { Link } from '../../lib/router';
import { useApi } from '../../lib/useApi';
import { SummaryCards, totalOf } from '../reports/SummaryCards';

/** This month's numbers for the affiliate, from the summary report grouped by affiliate. */
export function SummaryTab({ affiliate }: { affiliate: Affiliate }) {
  const now = new Date();
  const monthStart = `${now.toISOString().slice(0, 7)}-01`;
  const to = utcDay(1);
  const summary = useApi<{ rows: SummaryRow[] }>(withQuery('/api/admin/reports/summary', { groupBy: 'affiliate', affiliateId: affiliate.id, from: monthStart, to }));
  return (
    <section aria-labelledby="summary-title">
      <h2 id="summary-title">This month ({monthStart.slice(0, 7)})</h2>
      {summary.error !== undefined ? <Unavailable error={summary.error} what="The summary report" /> : null}
      {summary.data === undefined && summary.error === undefined ? <Loading /> : null}
      {summary.data ? (
        summary.data.rows.some((r) => r.key === affiliate.id) ? (
          <SummaryCards row={totalOf(summary.data.rows.filter((r) => r.key === affiliate.id))} />
        ) : (
          <Empty>No data this month: this affiliate has sent no leads since {monthStart}.</Empty>
        )
      ) : null}
      <p>
        <Link to={withQuery('/reports/leads', { affiliateId: affiliate.id, from: monthStart })}>See its leads in Reports › Leads via API</Link>
      </p>
    </section>
  );
}
