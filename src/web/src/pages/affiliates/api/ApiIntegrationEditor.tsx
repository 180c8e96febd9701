import { useState, type FormEvent } from 'react';
import { api, messageOf } from '../../../api/client';
import type { ApiIntegration } from '../../../api/types';
import { Field } from '../../../components/Field';
import { Notice } from '../../../components/Status';
import { fieldError, isFieldError } from '../../../lib/fieldErrors';
import { RowsEditor } from '../../products/integration/RowsEditor';

/** The Edit of an enabled integration: on/off, allowed countries, daily cap and template params. */
export function ApiIntegrationEditor({ item, onSaved, onCancel }: { item: ApiIntegration; onSaved: (saved: ApiIntegration) => void; onCancel: () => void }) {
  const [enabled, setEnabled] = useState(item.enabled);
  const [countries, setCountries] = useState(item.allowedCountries?.join(', ') ?? '');
  const [cap, setCap] = useState(item.dailyCap === null ? '' : String(item.dailyCap));
  const [params, setParams] = useState(Object.entries(item.params).map(([key, value]) => ({ key, value })));
  const [error, setError] = useState<unknown>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const codes = countries
      .split(/[\s,;]+/)
      .map((c) => c.trim())
      .filter(Boolean);
    const body = {
      enabled,
      allowedCountries: codes.length > 0 ? codes : null,
      dailyCap: cap.trim() === '' ? null : Number(cap),
      params: Object.fromEntries(params.filter((p) => p.key.trim()).map((p) => [p.key.trim(), p.value])),
    };
    try {
      onSaved(await api.patch<ApiIntegration>(`/api/admin/affiliates/${item.affiliateId}/api-integrations/${item.id}`, body));
    } catch (err) {
      setError(err);
    }
  };
  const fields = ['enabled', 'allowedCountries', 'dailyCap', 'params'];
  return (
    <form className="form" onSubmit={submit} noValidate>
      {error !== undefined && !isFieldError(error, fields) ? <Notice kind="error">{messageOf(error)}</Notice> : null}
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled: the affiliate's leads go through this integration
      </label>
      <Field label="Allowed countries" hint="ISO codes separated by commas, such as PT, ES, BR. Empty: every country." error={fieldError(error, 'allowedCountries')}>
        <input value={countries} onChange={(e) => setCountries(e.target.value.toUpperCase())} />
      </Field>
      <Field label="Daily cap" hint="Accepted leads per UTC day. Empty: no cap." error={fieldError(error, 'dailyCap')}>
        <input type="number" min={1} value={cap} onChange={(e) => setCap(e.target.value)} />
      </Field>
      <fieldset className="fieldset">
        <legend>Params</legend>
        <p className="field-hint">Extra values the integration's template reads as {'{{params.name}}'}.</p>
        <RowsEditor rows={params} onChange={setParams} keyLabel="name" valueLabel="value" addLabel="Add param" error={fieldError(error, 'params')} />
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary">
          Save
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
