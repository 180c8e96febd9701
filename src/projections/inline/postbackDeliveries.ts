import { sql } from 'kysely';
import type { InlineProjection } from '../../events/eventStore.js';
import { POSTBACKS_CHANNEL } from '../../workers/postbacks/dispatcher.js';

/**
 * Each postback delivery's live state (status, attempts, the last answer) in the append's
 * transaction: what the dispatcher, the worker and the console read. The rows themselves are
 * created by the postback_triggers projection. An outcome only moves the status when it
 * belongs to the delivery's current series; an attempt of an earlier one is still counted.
 */
export const postbackDeliveriesProjection: InlineProjection = {
  name: 'postback_deliveries',
  handles: ['PostbackAttempted', 'PostbackDelivered', 'PostbackFailed', 'PostbackResendRequested', 'PostbackDisabled'],
  async apply(trx, events) {
    for (const e of events) {
      const at = e.createdAt;
      switch (e.type) {
        case 'PostbackAttempted': {
          const retryAt = e.data.retryInMs === undefined ? null : new Date(at.getTime() + e.data.retryInMs);
          await trx
            .updateTable('postback_deliveries')
            .set((eb) => ({
              attempts: sql<number>`greatest(attempts, ${e.data.attempt})`,
              last_status: e.data.status ?? null,
              last_error: e.data.error ?? null,
              last_attempt_at: at,
              status: eb.case().when('series', '=', e.data.series).then('retrying' as const).else(eb.ref('status')).end(),
              next_attempt_at: eb.case().when('series', '=', e.data.series).then(retryAt).else(eb.ref('next_attempt_at')).end(),
              updated_at: at,
            }))
            .where('id', '=', e.data.deliveryId)
            .execute();
          break;
        }
        case 'PostbackDelivered':
        case 'PostbackFailed':
          await trx
            .updateTable('postback_deliveries')
            .set({ status: e.type === 'PostbackDelivered' ? 'delivered' : 'failed', next_attempt_at: null, updated_at: at })
            .where('id', '=', e.data.deliveryId)
            .where('series', '=', e.data.series)
            .execute();
          break;
        case 'PostbackResendRequested':
          await trx
            .updateTable('postback_deliveries')
            .set({ status: 'new', series: e.data.series, queued_at: null, next_attempt_at: null, updated_at: at })
            .where('id', '=', e.data.deliveryId)
            .execute();
          // NOTIFY is delivered on commit: the dispatcher enqueues the new series at once.
          await sql`select pg_notify(${POSTBACKS_CHANNEL}, ${e.data.deliveryId})`.execute(trx);
          break;
        case 'PostbackDisabled':
          await trx.updateTable('postback_configs').set({ disabled_at: at }).where('id', '=', e.data.postbackId).where('disabled_at', 'is', null).execute();
          break;
      }
    }
  },
};
