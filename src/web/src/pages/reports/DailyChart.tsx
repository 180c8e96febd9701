import { Table } from '../../components/Table';
import type { SummaryRow } from '../../api/types';
import { addDays } from '../../lib/format';

const SERIES = [
  { key: 'leads', label: 'Leads', className: 'series-leads' },
  { key: 'delivered', label: 'Delivered', className: 'series-delivered' },
  { key: 'rejected', label: 'Rejected', className: 'series-rejected' },
  { key: 'ftds', label: 'FTDs', className: 'series-ftds' },
] as const;

const W = 720;
const H = 220;
const M = { top: 12, right: 12, bottom: 28, left: 36 };
const MAX_DAYS = 120;

/** Every day of the range, with zeros where the report has no row. */
function daysOf(rows: SummaryRow[], from: string, to: string): SummaryRow[] {
  const byDay = new Map(rows.map((r) => [r.key.slice(0, 10), r]));
  const days: SummaryRow[] = [];
  for (let d = from; d <= to && days.length < MAX_DAYS; d = addDays(d, 1)) {
    days.push(byDay.get(d) ?? { key: d, leads: 0, delivered: 0, rejected: 0, failed: 0, pending: 0, duplicates: 0, refused: 0, signups: 0, ftds: 0, ftdAmount: 0 });
  }
  return days;
}

/** Leads, delivered, rejected and FTDs per UTC day, as inline SVG. */
export function DailyChart({ rows, from, to }: { rows: SummaryRow[]; from: string; to: string }) {
  const days = daysOf(rows, from, to);
  const max = Math.max(1, ...days.flatMap((d) => SERIES.map((s) => d[s.key])));
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  const x = (i: number) => M.left + (days.length <= 1 ? innerW / 2 : (i / (days.length - 1)) * innerW);
  const y = (v: number) => M.top + innerH - (v / max) * innerH;
  const labelEvery = Math.max(1, Math.ceil(days.length / 8));
  const ticks = [0, Math.round(max / 2), max].filter((t, i, all) => all.indexOf(t) === i);
  const totals = SERIES.map((s) => `${s.label} ${days.reduce((n, d) => n + d[s.key], 0)}`).join(', ');

  return (
    <figure className="chart">
      <div className="chart-scroll">
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Daily leads from ${from} to ${to}: ${totals}`} preserveAspectRatio="xMidYMid meet">
          {ticks.map((t) => (
            <g key={t}>
              <line className="chart-grid" x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} />
              <text className="chart-label" x={M.left - 6} y={y(t) + 4} textAnchor="end">
                {t}
              </text>
            </g>
          ))}
          {days.map((d, i) =>
            i % labelEvery === 0 ? (
              <text key={d.key} className="chart-label" x={x(i)} y={H - 8} textAnchor="middle">
                {d.key.slice(5)}
              </text>
            ) : null,
          )}
          {SERIES.map((s) => (
            <g key={s.key} className={s.className}>
              <polyline fill="none" strokeWidth="2" points={days.map((d, i) => `${x(i)},${y(d[s.key])}`).join(' ')} />
              {days.map((d, i) => (
                <circle key={d.key} cx={x(i)} cy={y(d[s.key])} r="3">
                  <title>{`${d.key}: ${d[s.key]} ${s.label.toLowerCase()}`}</title>
                </circle>
              ))}
            </g>
          ))}
        </svg>
      </div>
      <figcaption>
        <ul className="legend">
          {SERIES.map((s) => (
            <li key={s.key} className={s.className}>
              <span className="legend-swatch" aria-hidden="true" />
              {s.label}
            </li>
          ))}
        </ul>
      </figcaption>
      <details className="help">
        <summary>Show as a table</summary>
        <Table className="table table-compact" columns={['Day', ...SERIES.map((s) => s.label)]}>
          {days.map((d) => (
            <tr key={d.key}>
              <td>{d.key}</td>
              {SERIES.map((s) => (
                <td key={s.key}>{d[s.key]}</td>
              ))}
            </tr>
          ))}
        </Table>
      </details>
    </figure>
  );
}
