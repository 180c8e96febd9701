import { useState, type FormEvent } from 'react';
import { api, messageOf } from '../../api/client';
import type { Product } from '../../api/types';
import { Field } from '../../components/Field';
import { Notice } from '../../components/Status';
import { fieldError, isFieldError } from '../../lib/fieldErrors';

/** Create (no product) or edit a product's name and advertiser. */
export function ProductForm({ product, onSaved, onCancel }: { product?: Product; onSaved: (p: Product) => void; onCancel?: () => void }) {
  const [name, setName] = useState(product?.name ?? '');
  const [advertiser, setAdvertiser] = useState(product?.advertiser ?? '');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(false);
    const body = { name, advertiser: advertiser.trim() || null };
    try {
      const result = product ? await api.patch<Product>(`/api/admin/products/${product.id}`, body) : await api.post<Product>('/api/admin/products', body);
      setSaved(true);
      onSaved(result);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit}>
      {error !== undefined && !isFieldError(error, ['name', 'advertiser']) ? <Notice kind="error">{messageOf(error)}</Notice> : null}
      {saved && product ? <Notice kind="success">Saved.</Notice> : null}
      <Field label="Product name" error={fieldError(error, 'name')}>
        <input name="name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} autoFocus={!product} />
      </Field>
      <Field label="Advertiser" hint="Optional: the brand or network that owns the CRM." error={fieldError(error, 'advertiser')}>
        <input name="advertiser" maxLength={200} value={advertiser} onChange={(e) => setAdvertiser(e.target.value)} />
      </Field>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : product ? 'Save product' : 'Create product'}
        </button>
        {onCancel ? (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
