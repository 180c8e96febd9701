import { useRef, type Dispatch, type SetStateAction } from 'react';
import type { DedupeField } from '../../../api/types';
import { Field } from '../../../components/Field';
import { fieldError } from '../../../lib/fieldErrors';
import { MASK, switchBodyMode, type Draft } from './draft';
import { insertAt, PlaceholderHelp } from './PlaceholderHelp';
import { RowsEditor } from './RowsEditor';

const DEDUPE_FIELDS: DedupeField[] = ['email', 'phone', 'clickId'];

/** The integration's fields, in the order a manager reads a CRM's API documentation. */
export function IntegrationForm({ draft, setDraft, error, setError }: { draft: Draft; setDraft: Dispatch<SetStateAction<Draft>>; error: unknown; setError: (e: unknown) => void }) {
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  /** Where a clicked placeholder goes: set by the last focused URL, body field or JSON body. */
  const insertRef = useRef<(text: string) => void>(undefined);
  const err = (...fields: string[]) => fieldError(error, ...fields);

  return (
    <>
      <section className="card" aria-labelledby="general-title">
        <h2 id="general-title">General</h2>
        <div className="grid-2">
          <Field label="Name" error={err('name')}>
            <input name="name" required value={draft.name} onChange={(e) => set('name', e.target.value)} />
          </Field>
          <Field label="Type" hint="Registration CRMs also receive the lead's password." error={err('type')}>
            <select value={draft.type} onChange={(e) => set('type', e.target.value as Draft['type'])}>
              <option value="leads">leads</option>
              <option value="registration">registration</option>
            </select>
          </Field>
        </div>
      </section>

      <section className="card" aria-labelledby="request-title">
        <h2 id="request-title">Request to the CRM</h2>
        <div className="grid-url">
          <Field label="Method" error={err('request.method')}>
            <select value={draft.method} onChange={(e) => set('method', e.target.value as Draft['method'])}>
              {['POST', 'PUT', 'PATCH', 'GET'].map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </Field>
          <Field label="URL" error={err('request.url')}>
            <input
              name="url"
              type="text"
              inputMode="url"
              required
              className="mono"
              placeholder="https://crm.example.com/api/leads"
              value={draft.url}
              onChange={(e) => set('url', e.target.value)}
              onFocus={(e) => (insertRef.current = (t) => set('url', insertAt(e.target, t)))}
            />
          </Field>
          <Field label="Body format" error={err('request.format')}>
            <select value={draft.format} onChange={(e) => set('format', e.target.value as Draft['format'])}>
              <option value="json">JSON</option>
              <option value="form">form (urlencoded)</option>
            </select>
          </Field>
        </div>

        <fieldset className="fieldset">
          <legend>Headers</legend>
          <RowsEditor rows={draft.headers} onChange={(rows) => set('headers', rows)} keyLabel="Header name" valueLabel="Value" addLabel="Add header" masked={MASK} error={err('request.headers')} />
        </fieldset>

        <fieldset className="fieldset">
          <legend>Body</legend>
          <div className="segmented" role="radiogroup" aria-label="Edit the body as">
            {(['fields', 'json'] as const).map((mode) => (
              <label key={mode} className={draft.bodyMode === mode ? 'segment segment-on' : 'segment'}>
                <input
                  type="radio"
                  name="bodyMode"
                  checked={draft.bodyMode === mode}
                  onChange={() => {
                    try {
                      setDraft((d) => switchBodyMode(d, mode));
                      setError(undefined);
                    } catch (e) {
                      setError(e);
                    }
                  }}
                />
                {mode === 'fields' ? 'Fields' : 'JSON'}
              </label>
            ))}
          </div>
          <div className="body-editor">
            <div>
              {draft.bodyMode === 'fields' ? (
                <RowsEditor
                  rows={draft.bodyFields}
                  onChange={(rows) => set('bodyFields', rows)}
                  keyLabel="CRM field"
                  valueLabel="Value or {{placeholder}}"
                  addLabel="Add field"
                  error={err('request.body')}
                  onValueFocus={(index, e) =>
                    (insertRef.current = (t) => setDraft((d) => ({ ...d, bodyFields: d.bodyFields.map((r, i) => (i === index ? { ...r, value: insertAt(e.target, t) } : r)) })))
                  }
                />
              ) : (
                <Field label="Body (JSON object)" error={err('request.body')}>
                  <textarea
                    className="mono"
                    rows={12}
                    spellCheck={false}
                    value={draft.bodyJson}
                    onChange={(e) => set('bodyJson', e.target.value)}
                    onFocus={(e) => (insertRef.current = (t) => set('bodyJson', insertAt(e.target, t)))}
                  />
                </Field>
              )}
            </div>
            <PlaceholderHelp onInsert={(t) => insertRef.current?.(t)} />
          </div>
        </fieldset>
      </section>

      <section className="card" aria-labelledby="response-title">
        <h2 id="response-title">Response mapping</h2>
        <p className="muted small">Dot paths into the CRM's JSON answer, such as <code>data.login_url</code>. Without a success path, any 2xx answer counts as accepted.</p>
        <div className="grid-3">
          <Field label="Success path" error={err('response.successPath')}>
            <input className="mono" placeholder="status" value={draft.successPath} onChange={(e) => set('successPath', e.target.value)} />
          </Field>
          <Field label="Success equals" error={err('response.successEquals')}>
            <span className="input-group">
              <input className="mono" placeholder="ok" value={draft.successEquals} onChange={(e) => set('successEquals', e.target.value)} />
              <select aria-label="Success value type" value={draft.successEqualsType} onChange={(e) => set('successEqualsType', e.target.value as Draft['successEqualsType'])}>
                <option value="text">text</option>
                <option value="number">number</option>
                <option value="boolean">true/false</option>
              </select>
            </span>
          </Field>
          <Field label="Error message path" error={err('response.errorPath')}>
            <input className="mono" placeholder="message" value={draft.errorPath} onChange={(e) => set('errorPath', e.target.value)} />
          </Field>
          <Field label="Auto-login URL path" error={err('response.autoLoginUrlPath')}>
            <input className="mono" placeholder="data.login_url" value={draft.autoLoginUrlPath} onChange={(e) => set('autoLoginUrlPath', e.target.value)} />
          </Field>
          <Field label="CRM's lead id path" error={err('response.externalIdPath')}>
            <input className="mono" placeholder="data.customer_id" value={draft.externalIdPath} onChange={(e) => set('externalIdPath', e.target.value)} />
          </Field>
        </div>
      </section>

      <section className="card" aria-labelledby="delivery-title">
        <h2 id="delivery-title">Delivery and retries</h2>
        <div className="grid-3">
          <Field label="Timeout (ms)" error={err('timeoutMs')}>
            <input type="number" min={100} max={120000} value={draft.timeoutMs} onChange={(e) => set('timeoutMs', e.target.value)} />
          </Field>
          <Field label="Attempts (first included)" hint="Timeouts, 408, 429 and 5xx are retried; a CRM's refusal never is." error={err('retry.attempts', 'retry')}>
            <input type="number" min={1} max={20} value={draft.attempts} onChange={(e) => set('attempts', e.target.value)} />
          </Field>
          <Field label="First retry delay (ms)" hint="Grows exponentially, with jitter." error={err('retry.baseDelayMs')}>
            <input type="number" min={0} value={draft.baseDelayMs} onChange={(e) => set('baseDelayMs', e.target.value)} />
          </Field>
        </div>
        <fieldset className="fieldset">
          <legend>Duplicates</legend>
          <div className="inline-options">
            {DEDUPE_FIELDS.map((f) => (
              <label key={f} className="check">
                <input
                  type="checkbox"
                  checked={draft.dedupeFields.includes(f)}
                  onChange={(e) => set('dedupeFields', e.target.checked ? [...draft.dedupeFields, f] : draft.dedupeFields.filter((x) => x !== f))}
                />
                same {f}
              </label>
            ))}
            <Field label="within (days, 0 = off)" error={err('dedupe.windowDays', 'dedupe')} className="field-inline">
              <input type="number" min={0} max={365} value={draft.windowDays} onChange={(e) => set('windowDays', e.target.value)} />
            </Field>
          </div>
        </fieldset>
      </section>
    </>
  );
}
