import type { SummaryRow } from '../../api/types';
import { percent } from '../../lib/format';

export function totalOf(rows: SummaryRow[]): SummaryRow {
  const zero: SummaryRow = { key: 'total', leads: 0, delivered: 0, rejected: 0, failed: 0, pending: 0, duplicates: 0, refused: 0, signups: 0, ftds: 0, ftdAmount: 0 };
  return rows.reduce(
    (t, r) => ({
      key: 'total',
      leads: t.leads + r.leads,
      delivered: t.delivered + r.delivered,
      rejected: t.rejected + r.rejected,
      failed: t.failed + r.failed,
      pending: t.pending + r.pending,
      duplicates: t.duplicates + r.duplicates,
      refused: t.refused + r.refused,
      signups: t.signups + r.signups,
      ftds: t.ftds + r.ftds,
      ftdAmount: t.ftdAmount + Number(r.ftdAmount),
    }),
    zero,
  );
}

/** The headline numbers of a period: leads, delivered, rejection rate, FTDs. */
export function SummaryCards({ row }: { row: SummaryRow }) {
  const cards = [
    { label: 'Leads', value: String(row.leads) },
    { label: 'Delivered', value: String(row.delivered) },
    { label: 'Rejection rate', value: percent(row.rejected, row.leads), note: `${row.rejected} rejected` },
    { label: 'FTDs', value: String(row.ftds), note: row.ftdAmount ? `${row.ftdAmount.toLocaleString('en')} deposited` : undefined },
    { label: 'Sign-ups', value: String(row.signups) },
    { label: 'Pending / failed', value: `${row.pending} / ${row.failed}` },
    { label: 'Refused / duplicates', value: `${row.refused} / ${row.duplicates}` },
  ];
  return (
    <dl className="stats">
      {cards.map((c) => (
        <div className="stat" key={c.label}>
          <dt>{c.label}</dt>
          <dd>
            {c.value}
            {c.note ? <span className="stat-note">{c.note}</span> : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}
