import { useState } from 'react';
import type { Affiliate } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { PageHeader } from '../../components/Layout';
import { Async } from '../../components/Status';
import { Tabs } from '../../components/Tabs';
import { useApi } from '../../lib/useApi';
import { AffiliateForm } from './AffiliateForm';
import { ApiTab } from './api/ApiTab';
import { CampaignsTab } from './CampaignsTab';
import { PostbacksTab } from './PostbacksTab';
import { SummaryTab } from './SummaryTab';
import { UsersTab } from './UsersTab';

const TABS = [
  { id: 'summary', label: 'Summary' },
  { id: 'api', label: 'API' },
  { id: 'campaigns', label: 'Campaigns' },
  { id: 'postbacks', label: 'Pixels/Postbacks' },
  { id: 'users', label: 'Logins' },
];

/** The affiliate page: one tab for each thing a manager sets up or checks for an affiliate. */
export function AffiliatePage({ affiliateId, tab }: { affiliateId: string; tab: string }) {
  const affiliate = useApi<Affiliate>(`/api/admin/affiliates/${affiliateId}`);
  const [editing, setEditing] = useState(false);
  const current = TABS.some((t) => t.id === tab) ? tab : 'summary';
  const tabs = TABS.map((t) => ({ ...t, to: t.id === 'summary' ? `/affiliates/${affiliateId}` : `/affiliates/${affiliateId}/${t.id}` }));
  return (
    <Async resource={affiliate} what="Affiliate">
      {(a) => (
        <>
          <PageHeader
            title={a.name}
            crumbs={[{ label: 'Affiliate Management' }, { to: '/affiliates', label: 'Manage' }]}
            actions={
              <button type="button" className="btn" onClick={() => setEditing(true)}>
                Edit details
              </button>
            }
          />
          <p className="muted subtitle">
            {a.kind === 'ib' ? 'IB' : 'Affiliate'} · {a.email} · <span className="mono">{a.id}</span>
          </p>
          <Tabs tabs={tabs} current={current} label="Affiliate sections" />
          {current === 'summary' ? <SummaryTab affiliate={a} /> : null}
          {current === 'api' ? <ApiTab affiliate={a} /> : null}
          {current === 'campaigns' ? <CampaignsTab affiliate={a} /> : null}
          {current === 'postbacks' ? <PostbacksTab affiliate={a} /> : null}
          {current === 'users' ? <UsersTab affiliate={a} /> : null}
          {editing ? (
            <Dialog title={`Edit ${a.name}`} onClose={() => setEditing(false)}>
              <AffiliateForm
                affiliate={a}
                onSaved={(saved) => {
                  affiliate.setData(saved);
                  setEditing(false);
                }}
                onCancel={() => setEditing(false)}
              />
            </Dialog>
          ) : null}
        </>
      )}
    </Async>
  );
}
