import { useMemo, useState } from 'react';
import type { Items, Product } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { ApiIntegrationIcon } from '../../components/Icons';
import { PageHeader } from '../../components/Layout';
import { Pager, usePaged } from '../../components/Pager';
import { Async, Empty } from '../../components/Status';
import { Table } from '../../components/Table';
import { formatDate } from '../../lib/format';
import { Link, navigate } from '../../lib/router';
import { useApi } from '../../lib/useApi';
import { ProductForm } from './ProductForm';

function ProductTable({ products }: { products: Product[] }) {
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? products.filter((p) => `${p.name} ${p.advertiser ?? ''} ${p.id}`.toLowerCase().includes(f)) : products;
  }, [products, filter]);
  const paged = usePaged(shown);
  if (products.length === 0) return <Empty>No products yet. Create one to connect an advertiser's CRM.</Empty>;
  return (
    <>
      <div className="toolbar">
        <label className="search">
          <span className="visually-hidden">Filter products</span>
          <input type="search" placeholder="Filter by name or advertiser" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
      </div>
      {shown.length === 0 ? (
        <Empty>No product matches “{filter}”.</Empty>
      ) : (
        <Table columns={['Product', 'Advertiser', 'API Integration', 'Created']}>
          {paged.rows.map((p) => (
            <tr key={p.id}>
              <td>
                <Link to={`/products/${p.id}`}>{p.name}</Link>
                <div className="muted small mono">{p.id}</div>
              </td>
              <td>{p.advertiser ?? <span className="muted">—</span>}</td>
              <td>
                {p.hasApiIntegration ? (
                  <Link to={`/products/${p.id}/integrations`} className="icon-link">
                    <ApiIntegrationIcon />
                  </Link>
                ) : (
                  <Link to={`/products/${p.id}/integrations`} className="muted small">
                    none — add
                  </Link>
                )}
              </td>
              <td>{formatDate(p.createdAt)}</td>
            </tr>
          ))}
        </Table>
      )}
      <Pager {...paged} />
    </>
  );
}

export function ProductsPage() {
  const products = useApi<Items<Product>>('/api/admin/products');
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader
        title="Products"
        crumbs={[{ label: 'Advertisers & Products' }]}
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            + New product
          </button>
        }
      />
      <Async resource={products} what="Products">
        {(data) => <ProductTable products={data.items} />}
      </Async>
      {creating ? (
        <Dialog title="New product" onClose={() => setCreating(false)}>
          <ProductForm onSaved={(p) => navigate(`/products/${p.id}/integrations`)} onCancel={() => setCreating(false)} />
        </Dialog>
      ) : null}
    </>
  );
}
