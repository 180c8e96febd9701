import { useState, type FormEvent } from 'react';
import { api, messageOf } from '../../api/client';
import type { Affiliate, Campaign, Items } from '../../api/types';
import { Field } from '../../components/Field';
import { Pager, usePaged } from '../../components/Pager';
import { Async, Empty, Notice } from '../../components/Status';
import { Table } from '../../components/Table';
import { fieldError, isFieldError } from '../../lib/fieldErrors';
import { formatDate } from '../../lib/format';
import { useApi } from '../../lib/useApi';
import { useProducts } from '../../lib/useNamed';

function CampaignTable({ campaigns, productName }: { campaigns: Campaign[]; productName: (id: string) => string }) {
  const paged = usePaged(campaigns);
  if (campaigns.length === 0) return <Empty>No campaigns yet. A lead names its campaign, which decides its product.</Empty>;
  return (
    <>
      <Table columns={['Campaign', "Campaign id (for the lead's campaignId)", 'Product', 'Created']}>
        {paged.rows.map((c) => (
          <tr key={c.id}>
            <td>{c.name}</td>
            <td className="mono">{c.id}</td>
            <td>{productName(c.productId)}</td>
            <td>{formatDate(c.createdAt)}</td>
          </tr>
        ))}
      </Table>
      <Pager {...paged} />
    </>
  );
}

/** The affiliate's campaigns: one product each; the affiliate sends leads with a campaign id. */
export function CampaignsTab({ affiliate }: { affiliate: Affiliate }) {
  const path = `/api/admin/affiliates/${affiliate.id}/campaigns`;
  const campaigns = useApi<Items<Campaign>>(path);
  const products = useProducts();
  const [name, setName] = useState('');
  const [productId, setProductId] = useState('');
  const [error, setError] = useState<unknown>();

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.post<Campaign>(path, { name, productId });
      setName('');
      campaigns.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="card" aria-labelledby="campaigns-title">
      <h2 id="campaigns-title">Campaigns</h2>
      <form className="inline-form" onSubmit={add} noValidate>
        <Field label="Campaign name" error={fieldError(error, 'name')}>
          <input name="campaignName" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Product" error={fieldError(error, 'productId')}>
          <select name="product" value={productId} onChange={(e) => setProductId(e.target.value)}>
            <option value="">{products.items ? 'Choose a product…' : 'Loading products…'}</option>
            {products.items?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="btn btn-primary">
          Add campaign
        </button>
      </form>
      {error !== undefined && !isFieldError(error, ['name', 'productId']) ? <Notice kind="error">{messageOf(error)}</Notice> : null}
      <Async resource={campaigns} what="Campaigns">
        {(data) => <CampaignTable campaigns={data.items} productName={products.nameOf} />}
      </Async>
    </section>
  );
}
