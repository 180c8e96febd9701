import { useState, type FormEvent } from 'react';
import { api, messageOf } from '../../../api/client';
import type { Affiliate, ApiIntegration, Items } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { Dialog } from '../../../components/Dialog';
import { Pager, usePaged } from '../../../components/Pager';
import { Async, Empty, ErrorNotice, Loading, Notice } from '../../../components/Status';
import { Table } from '../../../components/Table';
import { Link } from '../../../lib/router';
import { useApi } from '../../../lib/useApi';
import { ApiIntegrationEditor } from './ApiIntegrationEditor';
import { useAllIntegrations } from './useAllIntegrations';

function ExistingList({ items, productName, onChanged }: { items: ApiIntegration[]; productName: (id: string) => string; onChanged: () => void }) {
  const paged = usePaged(items, 10);
  const [editing, setEditing] = useState<ApiIntegration>();
  const [error, setError] = useState<string>();
  const remove = async (item: ApiIntegration) => {
    try {
      await api.delete(`/api/admin/affiliates/${item.affiliateId}/api-integrations/${item.id}`);
      onChanged();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  if (items.length === 0) return <Empty>No API integration yet: the affiliate's leads have nowhere to go. Add one above.</Empty>;
  return (
    <>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <Table columns={['Integration', 'Product', 'Status', 'Countries', 'Daily cap', '']}>
        {paged.rows.map((item) => (
          <tr key={item.id}>
            <td>{item.integrationName}</td>
            <td>
              <Link to={`/products/${item.productId}/integrations`}>{productName(item.productId)}</Link>
            </td>
            <td>{item.enabled ? <span className="badge badge-delivered">enabled</span> : <span className="badge badge-other">disabled</span>}</td>
            <td>{item.allowedCountries?.join(', ') ?? 'all'}</td>
            <td>{item.dailyCap ?? 'none'}</td>
            <td className="actions">
              <button type="button" className="btn btn-small" onClick={() => setEditing(item)}>
                Edit
              </button>
              <ConfirmButton onConfirm={() => remove(item)} question="Remove it? Leads on it are refused." confirmLabel="Remove">
                Delete
              </ConfirmButton>
            </td>
          </tr>
        ))}
      </Table>
      <Pager {...paged} />
      {editing ? (
        <Dialog title={`Edit ${editing.integrationName}`} onClose={() => setEditing(undefined)}>
          <ApiIntegrationEditor
            item={editing}
            onSaved={() => {
              setEditing(undefined);
              onChanged();
            }}
            onCancel={() => setEditing(undefined)}
          />
        </Dialog>
      ) : null}
    </>
  );
}

/** API Integrations: the dropdown of product integrations with Add, and the existing ones with Edit/Delete. */
export function ApiIntegrationsSection({ affiliate }: { affiliate: Affiliate }) {
  const existing = useApi<Items<ApiIntegration>>(`/api/admin/affiliates/${affiliate.id}/api-integrations`);
  const all = useAllIntegrations();
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState<string>();
  const enabledIds = new Set(existing.data?.items.map((i) => i.integrationId));
  const available = all.options?.filter((o) => !enabledIds.has(o.integration.id)) ?? [];
  const productName = (id: string) => all.products?.find((p) => p.id === id)?.name ?? id;

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.post(`/api/admin/affiliates/${affiliate.id}/api-integrations`, { integrationId: chosen });
      setChosen('');
      existing.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <section className="card" aria-labelledby="api-integrations-title">
      <h2 id="api-integrations-title">API Integrations</h2>
      {all.error !== undefined ? <ErrorNotice error={all.error} what="Product integrations" /> : null}
      {!all.options && all.error === undefined ? <Loading label="Loading the product integrations…" /> : null}
      {all.options?.length === 0 ? (
        <Notice kind="info">
          No product has a CRM integration yet. <Link to="/products">Create one under Products</Link> first.
        </Notice>
      ) : null}
      {all.options && all.options.length > 0 ? (
        <form className="inline-form" onSubmit={add}>
          <label className="grow">
            <span className="field-label">API Integrations</span>
            <select name="integration" value={chosen} onChange={(e) => setChosen(e.target.value)}>
              <option value="">{available.length ? 'Choose a product integration…' : 'All product integrations are enabled'}</option>
              {available.map((o) => (
                <option key={o.integration.id} value={o.integration.id}>
                  {o.product.name} — {o.integration.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="btn btn-primary" disabled={!chosen}>
            Add
          </button>
        </form>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      <h3>Existing API Integrations</h3>
      <Async resource={existing} what="API integrations">
        {(data) => <ExistingList items={data.items} productName={productName} onChanged={existing.reload} />}
      </Async>
    </section>
  );
}
