import type { KeyboardEvent } from 'react';
import type { LeadRow } from '../../api/types';
import { StatusBadge } from '../../components/StatusBadge';
import { Table } from '../../components/Table';
import { formatDateTime } from '../../lib/format';
import { Link, navigate } from '../../lib/router';

function tracking(row: LeadRow): string {
  const parts: string[] = [];
  if (row.clickId) parts.push(`click ${row.clickId}`);
  for (const k of ['sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const) if (row[k]) parts.push(`${k} ${row[k]}`);
  return parts.join(' · ');
}

function conversions(row: LeadRow): string {
  const parts: string[] = [];
  if (row.signupAt) parts.push('sign-up');
  if (row.ftdAt) parts.push(`FTD${row.ftdAmount !== null && row.ftdAmount !== undefined ? ` ${row.ftdAmount}` : ''}`);
  return parts.join(', ') || '—';
}

/** One row a lead; with `timeline`, a click (or Enter) opens the lead's timeline. */
export function LeadsTable({ rows, affiliateName, timeline }: { rows: LeadRow[]; affiliateName?: (id: string) => string; timeline: boolean }) {
  const open = (row: LeadRow) => navigate(`/leads/${row.leadId}`);
  const onKey = (e: KeyboardEvent<HTMLTableRowElement>, row: LeadRow) => {
    if (e.key === 'Enter' && e.target === e.currentTarget) open(row);
  };
  return (
    <Table
      className="table table-leads"
      columns={['Received', ...(affiliateName ? ['Affiliate'] : []), 'Campaign', 'Country', 'Email', 'Name', 'Tracking', 'Status', 'Reason', 'Conversions']}
    >
      {rows.map((r) => (
        <tr
          key={r.leadId}
          className={timeline ? 'row-link' : undefined}
          tabIndex={timeline ? 0 : undefined}
          onClick={timeline ? () => open(r) : undefined}
          onKeyDown={timeline ? (e) => onKey(e, r) : undefined}
          data-lead-id={r.leadId}
        >
          <td className="nowrap">
            {timeline ? (
              <Link to={`/leads/${r.leadId}`} onClick={(e) => e.stopPropagation()}>
                {formatDateTime(r.receivedAt)}
              </Link>
            ) : (
              formatDateTime(r.receivedAt)
            )}
            {r.test ? <span className="badge badge-other">test</span> : null}
          </td>
          {affiliateName ? <td>{affiliateName(r.affiliateId)}</td> : null}
          <td className="mono small">{r.campaignId ?? '—'}</td>
          <td>{r.country ?? '—'}</td>
          <td className="wrap-anywhere">{r.email ?? '—'}</td>
          <td>{[r.firstName, r.lastName].filter(Boolean).join(' ') || '—'}</td>
          <td className="small">{tracking(r) || '—'}</td>
          <td>
            <StatusBadge status={r.status} />
          </td>
          <td className="small wrap-anywhere">{r.error ?? ''}</td>
          <td className="small">{conversions(r)}</td>
        </tr>
      ))}
    </Table>
  );
}
