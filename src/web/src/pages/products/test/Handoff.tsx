import { useState } from 'react';
import { api } from '../../../api/client';
import type { Affiliate } from '../../../api/types';
import { CopyButton } from '../../../components/CopyButton';
import { ErrorNotice, Loading } from '../../../components/Status';
import { downloadPostmanCollection } from '../../../lib/download';
import { curlOf, handoffOf, LEADS_PATH, type Handoff as HandoffData } from './handoffData';

/** For the affiliate: the post URL, the JSON body with its key ("View as JSON"), a cURL and the Postman collection. */
export function Handoff({ productId, integrationId, affiliate, campaignId }: { productId: string; integrationId: string; affiliate: Affiliate; campaignId: string }) {
  const [json, setJson] = useState<{ loading?: boolean; error?: unknown; handoff?: HandoffData }>({});
  const [postman, setPostman] = useState<{ busy?: boolean; error?: unknown }>({});
  const postUrl = json.handoff?.url ?? new URL(LEADS_PATH, window.location.origin).toString();

  const viewJson = async () => {
    setJson({ loading: true });
    try {
      const answer = await api.get<unknown>(`/api/admin/products/${productId}/integrations/${integrationId}/test/json`, { query: { affiliateId: affiliate.id, campaignId } });
      setJson({ handoff: handoffOf(answer, window.location.origin) });
    } catch (error) {
      setJson({ error });
    }
  };
  const downloadPostman = async () => {
    setPostman({ busy: true });
    try {
      await downloadPostmanCollection(affiliate.id, affiliate.name);
      setPostman({});
    } catch (error) {
      setPostman({ error });
    }
  };
  const jsonText = json.handoff ? JSON.stringify(json.handoff.body, null, 2) : '';

  return (
    <section className="handoff" aria-labelledby="handoff-title">
      <h3 id="handoff-title">Give it to the affiliate</h3>
      <div className="kv">
        <span>Post URL</span>
        <span className="inline-copy">
          <code data-testid="post-url">{postUrl}</code>
          <CopyButton text={postUrl} label="Copy URL" />
        </span>
      </div>
      <div className="form-actions">
        <button type="button" className="btn" onClick={() => void viewJson()} disabled={json.loading}>
          View as JSON
        </button>
        <button type="button" className="btn" onClick={() => void downloadPostman()} disabled={postman.busy}>
          {postman.busy ? 'Preparing…' : 'Download Postman collection'}
        </button>
      </div>
      {postman.error !== undefined ? <ErrorNotice error={postman.error} what="Postman collection" /> : null}
      {json.loading ? <Loading /> : null}
      {json.error !== undefined ? <ErrorNotice error={json.error} what="View as JSON" /> : null}
      {json.handoff ? (
        <>
          <p className="muted small">The affiliate's API key is revealed here, and the reveal is recorded. Share it only with the affiliate.</p>
          <h4>Headers</h4>
          <dl className="kv-list" data-testid="affiliate-headers">
            {Object.entries(json.handoff.headers).map(([name, value]) => (
              <div className="kv-pair" key={name}>
                <dt>{name}</dt>
                <dd className="inline-copy">
                  <code>{value}</code>
                  {/^authorization$|^x-api-key$/i.test(name) ? <CopyButton text={value.replace(/^Bearer\s+/i, '')} label="Copy key" /> : null}
                </dd>
              </div>
            ))}
          </dl>
          <h4>JSON body</h4>
          <pre className="code" data-testid="affiliate-json" tabIndex={0}>
            {jsonText}
          </pre>
          <div className="form-actions">
            <CopyButton text={jsonText} label="Copy JSON to Clipboard" className="btn" />
          </div>
          <h4>cURL</h4>
          <pre className="code" data-testid="affiliate-curl" tabIndex={0}>
            {curlOf(json.handoff)}
          </pre>
          <CopyButton text={curlOf(json.handoff)} label="Copy cURL" className="btn" />
        </>
      ) : null}
    </section>
  );
}
