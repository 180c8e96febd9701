import { useState, type FormEvent } from 'react';
import { api, ApiError, messageOf } from '../../../api/client';
import type { Affiliate, ApiKeyInfo, IssuedApiKey } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { CopyButton } from '../../../components/CopyButton';
import { Field } from '../../../components/Field';
import { ErrorNotice, Loading, Notice } from '../../../components/Status';
import { addDays, formatDate, formatDateTime } from '../../../lib/format';
import { useApi } from '../../../lib/useApi';

function ExtendForm({ affiliateId, current, onExtended }: { affiliateId: string; current: ApiKeyInfo; onExtended: (k: ApiKeyInfo) => void }) {
  const [date, setDate] = useState(addDays(formatDate(current.expiresAt), 365));
  const [error, setError] = useState<unknown>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      onExtended(await api.post<ApiKeyInfo>(`/api/admin/affiliates/${affiliateId}/api-key/extend`, { expiresAt: `${date}T23:59:59.000Z` }));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <Field label="New expiry date (UTC)" error={error instanceof ApiError && error.field === 'expiresAt' ? error.message : undefined}>
        <input type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
      </Field>
      <button type="submit" className="btn">
        Extend Expiry Date
      </button>
      {error !== undefined && !(error instanceof ApiError && error.field) ? <Notice kind="error">{messageOf(error)}</Notice> : null}
    </form>
  );
}

/** The affiliate's API key: generate (+), copy (a recorded reveal), extend, revoke. Never shown unasked, except once when new. */
export function ApiKeySection({ affiliate }: { affiliate: Affiliate }) {
  const base = `/api/admin/affiliates/${affiliate.id}/api-key`;
  const key = useApi<ApiKeyInfo>(base);
  const [issued, setIssued] = useState<IssuedApiKey>();
  const [revealed, setRevealed] = useState<string>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const none = key.error instanceof ApiError && key.error.status === 404;

  const act = async (what: () => Promise<void>) => {
    setError(undefined);
    setNotice(undefined);
    try {
      await what();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const generate = () =>
    act(async () => {
      setIssued(await api.post<IssuedApiKey>(base, {}));
      setRevealed(undefined);
      key.reload();
    });
  const reveal = async () => {
    const { key: value } = await api.post<{ key: string }>(`${base}/reveal`);
    setRevealed(value);
    return value;
  };
  const revoke = () =>
    act(async () => {
      await api.delete(base);
      setIssued(undefined);
      setRevealed(undefined);
      setNotice('Revoked: the key no longer works.');
      key.reload();
    });

  return (
    <section className="card" aria-labelledby="api-key-title">
      <div className="section-header">
        <h2 id="api-key-title">API Key</h2>
        {none ? (
          <button type="button" className="btn btn-primary btn-icon" onClick={() => void generate()} aria-label="Generate an API key" title="Generate an API key">
            +
          </button>
        ) : key.data ? (
          <ConfirmButton onConfirm={generate} className="btn btn-icon" question="Replace the key? The old one keeps working for the grace period." confirmLabel="Generate new key" ariaLabel="Generate a new API key">
            +
          </ConfirmButton>
        ) : null}
      </div>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      {issued ? (
        <Notice kind="success">
          <p>New key — copy it now and give it to the affiliate:</p>
          <div className="secret">
            <code className="secret-value" data-testid="new-api-key">
              {issued.key}
            </code>
            <CopyButton text={issued.key} />
          </div>
        </Notice>
      ) : null}
      {key.loading && !key.data ? <Loading /> : null}
      {none && !issued ? <p className="empty">No API key. Press + to generate one.</p> : null}
      {key.error !== undefined && !none ? <ErrorNotice error={key.error} onRetry={key.reload} what="API key" /> : null}
      {key.data && !none ? (
        <>
          {key.data.expiresSoon ? (
            <Notice kind="warning">This key expires on {formatDateTime(key.data.expiresAt)}. Extend it before the affiliate's leads start failing.</Notice>
          ) : null}
          <dl className="kv-list">
            <dt>Key</dt>
            <dd>
              <span className="secret">
                <code className="secret-value" data-testid="api-key-value">
                  {revealed ?? `${key.data.prefix}${'•'.repeat(12)}`}
                </code>
                <CopyButton text={reveal} label="Copy API key" />
                {revealed ? (
                  <button type="button" className="btn btn-small" onClick={() => setRevealed(undefined)}>
                    Hide
                  </button>
                ) : null}
              </span>
              <span className="field-hint">Copying reveals the key; every reveal is recorded.</span>
            </dd>
            <dt>Created</dt>
            <dd>{formatDateTime(key.data.createdAt)}</dd>
            <dt>Expires</dt>
            <dd data-testid="api-key-expiry">{formatDateTime(key.data.expiresAt)}</dd>
            <dt>Last used</dt>
            <dd>{key.data.lastUsedAt ? formatDateTime(key.data.lastUsedAt) : 'never'}</dd>
          </dl>
          <ExtendForm key={key.data.expiresAt} affiliateId={affiliate.id} current={key.data} onExtended={(k) => {
              key.setData(k);
              setNotice('Expiry extended.');
            }} />
          <div className="form-actions">
            <ConfirmButton onConfirm={revoke} question="Revoke now? Leads with this key are refused at once." confirmLabel="Revoke key">
              Revoke key
            </ConfirmButton>
          </div>
        </>
      ) : null}
    </section>
  );
}
