import { useEffect, useState } from 'react';
import type { Affiliate, Items } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { PageHeader } from '../../components/Layout';
import { Pager, usePaged } from '../../components/Pager';
import { Async, Empty } from '../../components/Status';
import { Table } from '../../components/Table';
import { formatDate } from '../../lib/format';
import { Link, navigate, useLocation } from '../../lib/router';
import { useApi } from '../../lib/useApi';
import { withQuery } from '../../api/client';
import { AffiliateForm } from './AffiliateForm';

function AffiliateTable({ affiliates, search }: { affiliates: Affiliate[]; search: string }) {
  const paged = usePaged(affiliates);
  if (affiliates.length === 0) return <Empty>{search ? `No affiliate matches “${search}”.` : 'No affiliates yet. Create the first one.'}</Empty>;
  return (
    <>
      <Table columns={['Affiliate', 'Email', 'Kind', 'Created', '']}>
        {paged.rows.map((a) => (
          <tr key={a.id}>
            <td>
              {a.name}
              <div className="muted small mono">{a.id}</div>
            </td>
            <td className="wrap-anywhere">{a.email}</td>
            <td>{a.kind === 'ib' ? 'IB' : 'Affiliate'}</td>
            <td>{formatDate(a.createdAt)}</td>
            <td className="actions">
              <Link className="btn btn-small" to={`/affiliates/${a.id}`} aria-label={`Open the affiliate page of ${a.name}`}>
                Open Affiliate Page
              </Link>
            </td>
          </tr>
        ))}
      </Table>
      <Pager {...paged} />
    </>
  );
}

/** Affiliate Management > Manage: search the affiliates and IBs, open one. */
export function AffiliatesPage() {
  const { query } = useLocation();
  const search = query.get('search') ?? '';
  const [typed, setTyped] = useState(search);
  const [creating, setCreating] = useState(false);
  const affiliates = useApi<Items<Affiliate>>(withQuery('/api/admin/affiliates', { search }));

  // The search goes into the URL (shareable, Back works) once typing pauses.
  useEffect(() => {
    const t = window.setTimeout(() => {
      if (typed.trim() !== search) navigate(withQuery('/affiliates', { search: typed.trim() }), { replace: true });
    }, 300);
    return () => window.clearTimeout(t);
  }, [typed, search]);

  return (
    <>
      <PageHeader
        title="Manage affiliates"
        crumbs={[{ label: 'Affiliate Management' }]}
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            + New affiliate
          </button>
        }
      />
      <div className="toolbar">
        <label className="search">
          <span className="visually-hidden">Search affiliates</span>
          <input type="search" placeholder="Search by name, email or id" value={typed} onChange={(e) => setTyped(e.target.value)} />
        </label>
        {affiliates.loading && affiliates.data ? <span className="muted small">Searching…</span> : null}
      </div>
      <Async resource={affiliates} what="Affiliates">
        {(data) => <AffiliateTable affiliates={data.items} search={search} />}
      </Async>
      {creating ? (
        <Dialog title="New affiliate" onClose={() => setCreating(false)}>
          <AffiliateForm onSaved={(a) => navigate(`/affiliates/${a.id}/api`)} onCancel={() => setCreating(false)} />
        </Dialog>
      ) : null}
    </>
  );
}
