import { useState, type FormEvent } from 'react';
import type { Affiliate, Product } from '../../api/types';
import { Field } from '../../components/Field';
import { STATUSES, type ReportFilters } from './filters';

/** Date range and filters; applied together so the table and chart query once. */
export function FiltersForm({ value, onApply, affiliates, products }: { value: ReportFilters; onApply: (f: ReportFilters) => void; affiliates?: Affiliate[]; products?: Product[] }) {
  const [f, setF] = useState(value);
  const set = <K extends keyof ReportFilters>(k: K, v: ReportFilters[K]) => setF((old) => ({ ...old, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(f);
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Report filters">
      <Field label="From">
        <input type="date" value={f.from} onChange={(e) => set('from', e.target.value)} />
      </Field>
      <Field label="To (inclusive)">
        <input type="date" value={f.to} onChange={(e) => set('to', e.target.value)} />
      </Field>
      {affiliates ? (
        <Field label="Affiliate">
          <select value={f.affiliateId} onChange={(e) => set('affiliateId', e.target.value)}>
            <option value="">All affiliates</option>
            {affiliates.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </Field>
      ) : null}
      {products ? (
        <Field label="Product">
          <select value={f.productId} onChange={(e) => set('productId', e.target.value)}>
            <option value="">All products</option>
            {products.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
      ) : null}
      <Field label="Campaign id">
        <input value={f.campaignId} onChange={(e) => set('campaignId', e.target.value)} className="mono" />
      </Field>
      <Field label="Country">
        <input value={f.country} maxLength={2} onChange={(e) => set('country', e.target.value.toUpperCase())} placeholder="PT" />
      </Field>
      <Field label="Status">
        <select value={f.status} onChange={(e) => set('status', e.target.value)}>
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </Field>
      <Field label="Email (exact)">
        <input type="email" value={f.email} onChange={(e) => set('email', e.target.value)} />
      </Field>
      <label className="check">
        <input type="checkbox" checked={f.includeTest} onChange={(e) => set('includeTest', e.target.checked)} /> Include test leads
      </label>
      <div className="filters-actions">
        <button type="submit" className="btn btn-primary">
          Apply
        </button>
      </div>
    </form>
  );
}
