import { useState } from 'react';
import { ApiError, withQuery } from '../../api/client';
import type { ApiKeyInfo, Me } from '../../api/types';
import { CopyButton } from '../../components/CopyButton';
import { PageHeader } from '../../components/Layout';
import { ErrorNotice, Loading, Notice } from '../../components/Status';
import { downloadPostmanCollection } from '../../lib/download';
import { formatDateTime } from '../../lib/format';
import { navigate, useLocation } from '../../lib/router';
import { useApi } from '../../lib/useApi';
import { LEADS_PATH } from '../products/test/handoffData';
import { filtersFrom, filtersQuery } from '../reports/filters';
import { FiltersForm } from '../reports/FiltersForm';
import { LeadsReport } from '../reports/LeadsReport';

const EXAMPLE = {
  campaignId: '<your campaign id>',
  firstName: 'Ana',
  lastName: 'Silva',
  email: 'ana@example.com',
  phone: '+351912345678',
  country: 'PT',
  clickId: '<your click id>',
  sub1: '<anything you track>',
};

function KeyInfo({ affiliateId }: { affiliateId: string }) {
  const key = useApi<ApiKeyInfo>(`/api/admin/affiliates/${affiliateId}/api-key`, { probe: true });
  if (key.loading && !key.data) return <Loading />;
  if (key.error instanceof ApiError) {
    const msg = key.error.status === 404 ? 'You have no API key yet: ask your manager for one.' : 'Your key’s prefix and expiry are not shown to affiliate logins on this server yet: ask your manager.';
    return <p className="muted" data-testid="portal-key-unavailable">{msg}</p>;
  }
  if (!key.data) return null;
  return (
    <dl className="kv-list" data-testid="portal-key">
      <dt>Key prefix</dt>
      <dd>
        <code>{key.data.prefix}…</code>
      </dd>
      <dt>Expires</dt>
      <dd>
        {formatDateTime(key.data.expiresAt)} {key.data.expiresSoon ? <span className="badge badge-rejected">expires soon: ask your manager to extend it</span> : null}
      </dd>
    </dl>
  );
}

/** The affiliate's own console: how to send leads, and its own Leads via API report. */
export function PortalPage({ me }: { me: Me }) {
  const { query } = useLocation();
  const filters = filtersFrom(query);
  const [postman, setPostman] = useState<unknown>();
  const affiliateId = me.affiliateId ?? '';
  const postUrl = new URL(LEADS_PATH, window.location.origin).toString();
  const example = JSON.stringify(EXAMPLE, null, 2);
  const key = JSON.stringify(filters);
  return (
    <>
      <PageHeader title="Your leads" crumbs={[{ label: 'Affiliate portal' }]} />
      <p className="muted subtitle">
        Signed in as {me.email} · affiliate <span className="mono">{affiliateId}</span>
      </p>
      <section className="card" aria-labelledby="sending-title">
        <h2 id="sending-title">Sending leads</h2>
        <div className="kv">
          <span>Post URL</span>
          <span className="inline-copy">
            <code data-testid="portal-post-url">{postUrl}</code>
            <CopyButton text={postUrl} label="Copy URL" />
          </span>
        </div>
        <p className="muted small">
          POST a JSON body with your key in <code>Authorization: Bearer &lt;key&gt;</code>, from an IP address your manager whitelisted.
        </p>
        <KeyInfo affiliateId={affiliateId} />
        <details className="help">
          <summary>JSON example</summary>
          <pre className="code">{example}</pre>
          <CopyButton text={example} label="Copy JSON" />
        </details>
        <div className="form-actions">
          <button
            type="button"
            className="btn"
            onClick={() => {
              setPostman(undefined);
              downloadPostmanCollection(affiliateId, 'my-leads').catch((err: unknown) => setPostman(err));
            }}
          >
            Download Postman collection
          </button>
        </div>
        {postman instanceof ApiError && [401, 403].includes(postman.status) ? (
          <Notice kind="info">The Postman collection is not offered to affiliate logins on this server yet: ask your manager for it.</Notice>
        ) : postman !== undefined ? (
          <ErrorNotice error={postman} what="Postman collection" />
        ) : null}
      </section>
      <FiltersForm key={key} value={filters} onApply={(f) => navigate(withQuery('/portal', filtersQuery(f)))} />
      <LeadsReport key={`r${key}`} base="/api/v1/reports" filters={filters} timeline={false} probe />
    </>
  );
}
