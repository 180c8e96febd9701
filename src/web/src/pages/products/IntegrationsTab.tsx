import { useState } from 'react';
import { api, messageOf } from '../../api/client';
import type { Integration, Items, Product } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { Pager, usePaged } from '../../components/Pager';
import { Async, Empty, Notice } from '../../components/Status';
import { Table } from '../../components/Table';
import { Link } from '../../lib/router';
import { useApi } from '../../lib/useApi';
import { IntegrationTestDialog } from './test/IntegrationTestDialog';

function IntegrationRows({ product, integrations, onDeleted }: { product: Product; integrations: Integration[]; onDeleted: () => void }) {
  const paged = usePaged(integrations);
  const [testing, setTesting] = useState<Integration>();
  const [error, setError] = useState<string>();
  const remove = async (integration: Integration) => {
    setError(undefined);
    try {
      await api.delete(`/api/admin/products/${product.id}/integrations/${integration.id}`);
      onDeleted();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <Table columns={['Integration', 'Type', 'CRM endpoint', 'Retries', 'Test', '']}>
        {paged.rows.map((i) => (
          <tr key={i.id}>
            <td>
              <Link to={`/products/${product.id}/integrations/${i.id}`}>{i.name}</Link>
              <div className="muted small mono">{i.id}</div>
            </td>
            <td>{i.type}</td>
            <td className="wrap-anywhere">
              <span className="mono small">
                {i.request.method} {i.request.url}
              </span>
            </td>
            <td>
              {i.retry.attempts} × ({i.timeoutMs} ms timeout)
            </td>
            <td>
              <button type="button" className="btn btn-link" onClick={() => setTesting(i)}>
                Click here to test the API
              </button>
            </td>
            <td className="actions">
              <Link className="btn btn-small" to={`/products/${product.id}/integrations/${i.id}`}>
                Edit
              </Link>
              <ConfirmButton onConfirm={() => remove(i)} question={`Delete ${i.name}?`} confirmLabel="Delete">
                Delete
              </ConfirmButton>
            </td>
          </tr>
        ))}
      </Table>
      <Pager {...paged} />
      {testing ? <IntegrationTestDialog product={product} integration={testing} onClose={() => setTesting(undefined)} /> : null}
    </>
  );
}

/** The product's "APIs input/output": the CRM integrations leads are delivered through. */
export function IntegrationsTab({ product }: { product: Product }) {
  const integrations = useApi<Items<Integration>>(`/api/admin/products/${product.id}/integrations`);
  return (
    <section aria-labelledby="integrations-title">
      <div className="section-header">
        <h2 id="integrations-title">APIs input/output</h2>
        <Link className="btn btn-primary" to={`/products/${product.id}/integrations/new`}>
          + New integration
        </Link>
      </div>
      <Async resource={integrations} what="Integrations">
        {(data) =>
          data.items.length === 0 ? (
            <Empty>This product has no CRM integration yet. Add one to deliver its leads.</Empty>
          ) : (
            <IntegrationRows product={product} integrations={data.items} onDeleted={integrations.reload} />
          )
        }
      </Async>
    </section>
  );
}
