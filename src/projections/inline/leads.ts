import type { Insertable } from 'kysely';
import type { LeadsTable } from '../../db/schema.js';
import type { InlineProjection } from '../../events/eventStore.js';
import type { StoredEvent } from '../../events/events.js';

type LeadReceived = StoredEvent & { type: 'LeadReceived' };

/** The consecutive LeadReceived events from `start`: new leads are independent rows, so one insert takes them all. */
function receivedRun(events: StoredEvent[], start: number): LeadReceived[] {
  const run: LeadReceived[] = [];
  for (let i = start; i < events.length && events[i]!.type === 'LeadReceived'; i++) run.push(events[i] as LeadReceived);
  return run;
}

function leadRow(e: LeadReceived): Insertable<LeadsTable> {
  return {
    lead_id: e.data.leadId,
    affiliate_id: e.data.affiliateId,
    campaign_id: e.data.campaignId,
    product_id: e.data.productId,
    integration_id: e.data.integrationId,
    api_integration_id: e.data.apiIntegrationId ?? null,
    email_norm: e.data.lead.email.toLowerCase(),
    phone_norm: e.data.lead.phone ?? null,
    click_id: e.data.lead.clickId ?? null,
    test: e.data.test,
    status: 'pending',
    received_at: e.createdAt,
    stream_version: e.streamVersion,
    updated_at: e.createdAt,
  };
}

/**
 * Each lead's live state, in the append's transaction: what duplicate checks, daily caps,
 * the status endpoint, the waiting intake request and the sweeper read.
 */
export const leadsProjection: InlineProjection = {
  name: 'leads',
  handles: ['LeadReceived', 'DeliveryAttemptStarted', 'LeadDelivered', 'LeadRejected', 'DeliveryAttemptFailed', 'LeadDeliveryFailed'],
  async apply(trx, events) {
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const common = { stream_version: e.streamVersion, updated_at: e.createdAt };
      switch (e.type) {
        case 'LeadReceived': {
          // A batch of new leads (group commit) is inserted at once.
          const run = receivedRun(events, i);
          await trx.insertInto('leads').values(run.map(leadRow)).execute();
          i += run.length - 1;
          break;
        }
        case 'DeliveryAttemptStarted':
          await trx
            .updateTable('leads')
            .set({ attempts: e.data.attempt, last_attempt_started_at: e.createdAt, next_attempt_at: null, ...common })
            .where('lead_id', '=', e.data.leadId)
            .execute();
          break;
        case 'LeadDelivered':
          await trx
            .updateTable('leads')
            .set({ status: 'delivered', code: null, error: null, auto_login_url: e.data.autoLoginUrl ?? null, external_id: e.data.externalId ?? null, ...common })
            .where('lead_id', '=', e.data.leadId)
            .execute();
          break;
        case 'LeadRejected':
          await trx.updateTable('leads').set({ status: 'rejected', code: e.data.code, error: e.data.error, ...common }).where('lead_id', '=', e.data.leadId).execute();
          break;
        case 'DeliveryAttemptFailed':
          await trx
            .updateTable('leads')
            .set({
              code: e.data.code,
              error: e.data.error,
              next_attempt_at: e.data.retryInMs === undefined ? null : new Date(e.createdAt.getTime() + e.data.retryInMs),
              ...common,
            })
            .where('lead_id', '=', e.data.leadId)
            .execute();
          break;
        case 'LeadDeliveryFailed':
          await trx.updateTable('leads').set({ status: 'failed', code: e.data.code, error: e.data.error, ...common }).where('lead_id', '=', e.data.leadId).execute();
          break;
      }
    }
  },
};
