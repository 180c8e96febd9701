import { sql, type Insertable, type Selectable, type Transaction } from 'kysely';
import type { Database, PostbackConfigsTable, PostbackDeliveriesTable } from '../db/schema.js';
import type { EventData, EventMetadata, EventType, StoredEvent } from '../events/events.js';
import { leadStream } from '../events/types/lead.js';
import { toStoredEvent } from '../events/toStoredEvent.js';
import { sha256 } from '../security/tokens.js';
import { POSTBACKS_CHANNEL } from '../workers/postbacks/dispatcher.js';
import { postbackValues, type PostbackEventName } from '../workers/postbacks/macros.js';
import type { AsyncProjection } from './asyncProjection.js';

type Trigger = StoredEvent & { type: 'LeadReceived' | 'LeadConverted' };
type PostbackConfig = Selectable<PostbackConfigsTable>;
type NewDelivery = Insertable<PostbackDeliveriesTable>;

/** A lead as received: what its postbacks report, and who sent it. */
export interface Reception {
  data: EventData<'LeadReceived'>;
  at: Date;
  metadata: EventMetadata;
}

const handles = ['LeadReceived', 'LeadConverted'] as const satisfies readonly EventType[];

/** The same postback, lead, event and transaction always make the same delivery id. */
export function deliveryIdOf(postbackId: string, leadId: string, event: PostbackEventName, transactionId: string | undefined): string {
  return `pd_${sha256(JSON.stringify([postbackId, leadId, event, transactionId ?? ''])).slice(0, 32)}`;
}

/**
 * Whether a postback applies to an event: the affiliate's, for this event and product, and
 * configured (not yet disabled) when the event was recorded. Judging by the event's time,
 * never the clock, is what keeps a replay from sending a postback configured today for
 * every lead of the past.
 */
function applies(config: PostbackConfig, name: PostbackEventName, productId: string, at: Date): boolean {
  return (
    config.event === name &&
    (config.product_id === null || config.product_id === productId) &&
    config.created_at <= at &&
    (config.disabled_at === null || config.disabled_at > at)
  );
}

/**
 * The deliveries one event owes, pure. Test leads fire postbacks like any other (an
 * affiliate sending `test: true` is testing its own setup, postbacks included; the payload
 * says `test`), except those a manager sends from the console's integration test: that
 * tests the CRM, and must not reach the affiliate's tracker.
 */
export function triggersFor(event: Trigger, reception: Reception, configs: readonly PostbackConfig[]): NewDelivery[] {
  if (reception.data.test && reception.metadata.actor?.kind === 'employee') return [];
  const conversion = event.type === 'LeadConverted' ? event.data : undefined;
  const name: PostbackEventName = conversion?.event ?? 'lead';
  const payload = JSON.stringify(postbackValues(reception.data, reception.at, conversion));
  return configs
    .filter((c) => c.affiliate_id === reception.data.affiliateId && applies(c, name, reception.data.productId, event.createdAt))
    .map((c) => ({
      id: deliveryIdOf(c.id, reception.data.leadId, name, conversion?.transactionId),
      postback_id: c.id,
      affiliate_id: c.affiliate_id,
      lead_id: reception.data.leadId,
      event: name,
      transaction_id: conversion?.transactionId ?? null,
      method: c.method,
      url: c.url,
      payload,
      test: reception.data.test,
      status: 'new',
      created_at: event.createdAt,
      updated_at: event.createdAt,
    }));
}

/** The receptions of the leads a batch's events are about: from the batch, else from the log. */
async function receptionsOf(trx: Transaction<Database>, events: Trigger[]): Promise<Map<string, Reception>> {
  const receptions = new Map<string, Reception>();
  for (const e of events) {
    if (e.type === 'LeadReceived') receptions.set(e.data.leadId, { data: e.data, at: e.createdAt, metadata: e.metadata });
  }
  const missing = [...new Set(events.map((e) => e.data.leadId).filter((id) => !receptions.has(id)))];
  if (missing.length > 0) {
    const rows = await trx
      .selectFrom('events')
      .selectAll()
      .where('stream_id', 'in', missing.map(leadStream))
      .where('type', '=', 'LeadReceived')
      .execute();
    for (const e of rows.map(toStoredEvent)) {
      if (e.type === 'LeadReceived') receptions.set(e.data.leadId, { data: e.data, at: e.createdAt, metadata: e.metadata });
    }
  }
  return receptions;
}

/**
 * Postback triggers: turns LeadReceived (`lead`) and LeadConverted (`signup`, `ftd`,
 * `deposit`) into deliveries for the lead's affiliate's postbacks, with the values their
 * macros need fixed now. The dispatcher enqueues them after this batch commits.
 */
export const postbackTriggers: AsyncProjection = {
  name: 'postback_triggers',
  handles,
  // Empty on purpose: replay must never truncate postback_deliveries. Its rows carry what
  // was sent (status, attempts, series) and re-creating them would send every postback of
  // the past again. Replay re-derives the same deterministic ids instead, and ON CONFLICT
  // DO NOTHING leaves the existing rows alone: a rebuild makes no new delivery.
  tables: [],
  async apply(trx, events) {
    const triggers = events.filter((e): e is Trigger => e.type === 'LeadReceived' || e.type === 'LeadConverted');
    if (triggers.length === 0) return;
    const receptions = await receptionsOf(trx, triggers);
    const affiliates = [...new Set([...receptions.values()].map((r) => r.data.affiliateId))];
    if (affiliates.length === 0) return;
    const configs = await trx.selectFrom('postback_configs').selectAll().where('affiliate_id', 'in', affiliates).execute();
    if (configs.length === 0) return;
    const rows = triggers.flatMap((e) => {
      const reception = receptions.get(e.data.leadId);
      return reception ? triggersFor(e, reception, configs) : [];
    });
    let created = 0;
    for (let i = 0; i < rows.length; i += 500) {
      const inserted = await trx
        .insertInto('postback_deliveries')
        .values(rows.slice(i, i + 500))
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .execute();
      created += inserted.length;
    }
    // Delivered with the commit: the dispatcher wakes when the rows are there to read.
    if (created > 0) await sql`select pg_notify(${POSTBACKS_CHANNEL}, '')`.execute(trx);
  },
};
