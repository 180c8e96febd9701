import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../../api/client';
import type { ApiKeyInfo, Campaign, Integration, IntegrationTestResult, Items, Product } from '../../../api/types';
import { Dialog } from '../../../components/Dialog';
import { Field } from '../../../components/Field';
import { Async, Empty, ErrorNotice, Loading, Notice } from '../../../components/Status';
import { formatDate } from '../../../lib/format';
import { Link } from '../../../lib/router';
import { useApi } from '../../../lib/useApi';
import { ExchangePanels } from './ExchangePanels';
import { Handoff } from './Handoff';
import { useEligibleAffiliates } from './eligibleAffiliates';
import { generateLead, LEAD_FIELD_LABELS, type TestLead } from './leadDefaults';

function KeyStatus({ affiliateId }: { affiliateId: string }) {
  const key = useApi<ApiKeyInfo>(`/api/admin/affiliates/${affiliateId}/api-key`);
  if (key.loading && !key.data) return <Loading label="Looking up the API key…" />;
  if (key.error instanceof ApiError && key.error.status === 404) {
    return (
      <Notice kind="warning">
        This affiliate has no API key yet. <Link to={`/affiliates/${affiliateId}/api`}>Generate one on its API tab</Link>, then test again.
      </Notice>
    );
  }
  if (key.error !== undefined) return <ErrorNotice error={key.error} what="API key" onRetry={key.reload} />;
  if (!key.data) return null;
  return (
    <p className="kv" data-testid="test-key">
      <span>API key</span>
      <span>
        <code>{key.data.prefix}…</code> expires {formatDate(key.data.expiresAt)}
        {key.data.expiresSoon ? <span className="badge badge-rejected">expires soon</span> : null}
      </span>
    </p>
  );
}

/** "Click here to test the API": one test lead through this integration as a chosen affiliate would send it. */
export function IntegrationTestDialog({ product, integration, onClose }: { product: Product; integration: Integration; onClose: () => void }) {
  const eligible = useEligibleAffiliates(integration.id);
  const [affiliateId, setAffiliateId] = useState('');
  const [campaignId, setCampaignId] = useState('');
  const [lead, setLead] = useState<TestLead>(generateLead);
  const [run, setRun] = useState<{ busy?: boolean; error?: unknown; result?: IntegrationTestResult }>({});
  const campaigns = useApi<Items<Campaign>>(affiliateId ? `/api/admin/affiliates/${affiliateId}/campaigns` : null);
  const productCampaigns = campaigns.data?.items.filter((c) => c.productId === product.id) ?? [];
  const affiliate = eligible.items?.find((e) => e.affiliate.id === affiliateId)?.affiliate;
  const fields = (Object.keys(LEAD_FIELD_LABELS) as (keyof TestLead)[]).filter((f) => f !== 'password' || integration.type === 'registration');

  const chooseAffiliate = (id: string) => {
    setAffiliateId(id);
    setCampaignId('');
    setRun({});
  };
  const test = async (e: FormEvent) => {
    e.preventDefault();
    setRun({ busy: true });
    try {
      const body = { affiliateId, campaignId, lead: Object.fromEntries(fields.map((f) => [f, lead[f]])) };
      setRun({ result: await api.post<IntegrationTestResult>(`/api/admin/products/${product.id}/integrations/${integration.id}/test`, body) });
    } catch (error) {
      setRun({ error });
    }
  };

  return (
    <Dialog title={`Test ${integration.name}`} onClose={onClose} wide>
      {eligible.error !== undefined ? <ErrorNotice error={eligible.error} what="Affiliates" /> : null}
      {!eligible.items && eligible.error === undefined ? <Loading label="Finding the affiliates that have this integration…" /> : null}
      {eligible.items?.length === 0 ? (
        <Empty>
          No affiliate has this integration enabled. Open an affiliate's <Link to="/affiliates">API tab</Link> and add it under API Integrations.
        </Empty>
      ) : null}
      {eligible.items && eligible.items.length > 0 ? (
        <form className="form" onSubmit={test}>
          <div className="grid-2">
            <Field label="Affiliate">
              <select name="affiliate" value={affiliateId} onChange={(e) => chooseAffiliate(e.target.value)} required>
                <option value="">Choose an affiliate…</option>
                {eligible.items.map(({ affiliate: a }) => (
                  <option key={a.id} value={a.id}>
                    {a.name} ({a.email})
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Campaign">
              <select name="campaign" value={campaignId} onChange={(e) => setCampaignId(e.target.value)} required disabled={!affiliateId || productCampaigns.length === 0}>
                <option value="">{affiliateId ? 'Choose a campaign…' : 'Choose an affiliate first'}</option>
                {productCampaigns.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} ({c.id})
                  </option>
                ))}
              </select>
            </Field>
          </div>
          {affiliateId ? <KeyStatus affiliateId={affiliateId} /> : null}
          {affiliateId ? (
            <Async resource={campaigns} what="Campaigns">
              {() =>
                productCampaigns.length === 0 ? (
                  <Notice kind="warning">
                    This affiliate has no campaign on {product.name}. <Link to={`/affiliates/${affiliateId}/campaigns`}>Add one on its Campaigns tab</Link>.
                  </Notice>
                ) : null
              }
            </Async>
          ) : null}
          <fieldset className="fieldset">
            <legend>Lead information</legend>
            <div className="grid-3">
              {fields.map((f) => (
                <Field key={f} label={LEAD_FIELD_LABELS[f]}>
                  <input name={f} value={lead[f]} onChange={(e) => setLead({ ...lead, [f]: e.target.value })} />
                </Field>
              ))}
            </div>
            <button type="button" className="btn btn-small" onClick={() => setLead(generateLead())}>
              New sample lead
            </button>
          </fieldset>
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={!affiliateId || !campaignId || run.busy}>
              {run.busy ? 'Testing…' : 'Test'}
            </button>
          </div>
          {run.busy ? <Loading label="Sending the test lead to the CRM…" /> : null}
          {run.error !== undefined ? <ErrorNotice error={run.error} what="Test" /> : null}
          {run.result ? <ExchangePanels result={run.result} /> : null}
          {affiliate && campaignId ? <Handoff productId={product.id} integrationId={integration.id} affiliate={affiliate} campaignId={campaignId} /> : null}
        </form>
      ) : null}
    </Dialog>
  );
}
