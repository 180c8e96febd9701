import { useState, type FormEvent } from 'react';
import { api, messageOf } from '../../api/client';
import type { Affiliate } from '../../api/types';
import { Field } from '../../components/Field';
import { Notice } from '../../components/Status';
import { fieldError, isFieldError } from '../../lib/fieldErrors';

/** Create (no affiliate) or edit an affiliate or IB. */
export function AffiliateForm({ affiliate, onSaved, onCancel }: { affiliate?: Affiliate; onSaved: (a: Affiliate) => void; onCancel: () => void }) {
  const [name, setName] = useState(affiliate?.name ?? '');
  const [email, setEmail] = useState(affiliate?.email ?? '');
  const [kind, setKind] = useState<Affiliate['kind']>(affiliate?.kind ?? 'affiliate');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = { name, email, kind };
      onSaved(affiliate ? await api.patch<Affiliate>(`/api/admin/affiliates/${affiliate.id}`, body) : await api.post<Affiliate>('/api/admin/affiliates', body));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      {error !== undefined && !isFieldError(error, ['name', 'email', 'kind']) ? <Notice kind="error">{messageOf(error)}</Notice> : null}
      <Field label="Name" error={fieldError(error, 'name')}>
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
      </Field>
      <Field label="Email" error={fieldError(error, 'email')}>
        <input name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      <Field label="Kind" error={fieldError(error, 'kind')}>
        <select value={kind} onChange={(e) => setKind(e.target.value as Affiliate['kind'])}>
          <option value="affiliate">Affiliate</option>
          <option value="ib">IB (introducing broker)</option>
        </select>
      </Field>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : affiliate ? 'Save affiliate' : 'Create affiliate'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
