import { useEffect, useState, type FormEvent } from 'react';
import { api, messageOf } from '../../api/client';
import type { Integration, Product } from '../../api/types';
import { PageHeader } from '../../components/Layout';
import { Async, Notice } from '../../components/Status';
import { navigate } from '../../lib/router';
import { useApi } from '../../lib/useApi';
import { draftOf, inputOf, newDraft, type Draft } from './integration/draft';
import { IntegrationForm } from './integration/IntegrationForm';

/** Create (no integrationId) or edit one of a product's CRM integrations. */
export function IntegrationFormPage({ productId, integrationId }: { productId: string; integrationId?: string }) {
  const product = useApi<Product>(`/api/admin/products/${productId}`);
  const existing = useApi<Integration>(integrationId ? `/api/admin/products/${productId}/integrations/${integrationId}` : null);
  const [draft, setDraft] = useState<Draft>(newDraft);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (existing.data) setDraft(draftOf(existing.data));
  }, [existing.data]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const input = inputOf(draft);
      const path = `/api/admin/products/${productId}/integrations`;
      if (integrationId) await api.patch<Integration>(`${path}/${integrationId}`, input);
      else await api.post<Integration>(path, input);
      navigate(`/products/${productId}/integrations`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const title = integrationId ? `Edit ${existing.data?.name ?? 'integration'}` : 'New integration';
  return (
    <Async resource={product} what="Product">
      {(p) => (
        <>
          <PageHeader title={title} crumbs={[{ to: '/products', label: 'Products' }, { to: `/products/${p.id}/integrations`, label: `${p.name}: APIs input/output` }]} />
          {integrationId && existing.data === undefined ? (
            <Async resource={existing} what="Integration">
              {() => null}
            </Async>
          ) : (
            <form className="form" onSubmit={submit} noValidate>
              {error !== undefined ? (
                <Notice kind="error">
                  <strong>Not saved.</strong> {messageOf(error)}
                </Notice>
              ) : null}
              <IntegrationForm draft={draft} setDraft={setDraft} error={error} setError={setError} />
              <div className="form-actions sticky-actions">
                <button type="submit" className="btn btn-primary" disabled={busy}>
                  {busy ? 'Saving…' : integrationId ? 'Save integration' : 'Create integration'}
                </button>
                <button type="button" className="btn" onClick={() => navigate(`/products/${productId}/integrations`)}>
                  Cancel
                </button>
              </div>
            </form>
          )}
        </>
      )}
    </Async>
  );
}
