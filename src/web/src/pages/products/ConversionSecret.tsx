import { useState } from 'react';
import { api, messageOf } from '../../api/client';
import type { Product } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { SecretValue } from '../../components/SecretValue';
import { Notice } from '../../components/Status';

/** The secret the advertiser sends with conversions (X-Conversion-Secret): masked, copy, rotate. */
export function ConversionSecret({ product, onChange }: { product: Product; onChange: (p: Product) => void }) {
  const [error, setError] = useState<string>();
  const [rotated, setRotated] = useState(false);
  const rotate = async () => {
    setError(undefined);
    try {
      onChange(await api.post<Product>(`/api/admin/products/${product.id}/conversion-secret/rotate`));
      setRotated(true);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <section className="card" aria-labelledby="secret-title">
      <h2 id="secret-title">Conversion secret</h2>
      <p className="muted">
        The advertiser reports sign-ups and FTDs to <code>{window.location.origin}/api/v1/conversions</code> with this value in the{' '}
        <code>X-Conversion-Secret</code> header.
      </p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {rotated ? <Notice kind="success">A new secret is in force; the old one no longer works. Give the advertiser the new one.</Notice> : null}
      {product.conversionSecret ? <SecretValue value={product.conversionSecret} label="Conversion secret" /> : <p className="muted">Not available.</p>}
      <div className="form-actions">
        <ConfirmButton onConfirm={rotate} question="Rotate? The current secret stops working at once." confirmLabel="Rotate now">
          Rotate secret
        </ConfirmButton>
      </div>
    </section>
  );
}
