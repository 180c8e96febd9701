import type { Product } from '../../api/types';
import { PageHeader } from '../../components/Layout';
import { Async } from '../../components/Status';
import { Tabs } from '../../components/Tabs';
import { useApi } from '../../lib/useApi';
import { ConversionSecret } from './ConversionSecret';
import { IntegrationsTab } from './IntegrationsTab';
import { ProductForm } from './ProductForm';

export function ProductPage({ productId, tab }: { productId: string; tab: 'details' | 'integrations' }) {
  const product = useApi<Product>(`/api/admin/products/${productId}`);
  const tabs = [
    { id: 'details', label: 'Details', to: `/products/${productId}` },
    { id: 'integrations', label: 'APIs input/output', to: `/products/${productId}/integrations` },
  ];
  return (
    <Async resource={product} what="Product">
      {(p) => (
        <>
          <PageHeader title={p.name} crumbs={[{ label: 'Advertisers & Products' }, { to: '/products', label: 'Products' }]} />
          <Tabs tabs={tabs} current={tab} label="Product sections" />
          {tab === 'details' ? (
            <div className="grid-2">
              <section className="card" aria-labelledby="details-title">
                <h2 id="details-title">Details</h2>
                <ProductForm key={p.updatedAt} product={p} onSaved={(saved) => product.setData({ ...p, ...saved })} />
              </section>
              <ConversionSecret product={p} onChange={product.setData} />
            </div>
          ) : (
            <IntegrationsTab product={p} />
          )}
        </>
      )}
    </Async>
  );
}
