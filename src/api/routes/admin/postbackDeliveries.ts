import Router from '@koa/router';
import type { Selectable } from 'kysely';
import type { PostbackDeliveriesTable } from '../../../db/schema.js';
import { event, type StoredEvent } from '../../../events/events.js';
import { postbackStreamOf } from '../../../workers/postbacks/firePostback.js';
import { renderPostbackUrl } from '../../../workers/postbacks/macros.js';
import { postbackState } from '../../../workers/postbacks/postbackState.js';
import type { AppDeps } from '../../deps.js';
import { errors } from '../../errors.js';
import { appendFor } from './context.js';

type Delivery = Selectable<PostbackDeliveriesTable>;

/** One line of a delivery's log: an attempt and its answer, or the delivery still waiting for its first. */
export interface PostbackAttemptView {
  deliveryId: string;
  event: Delivery['event'];
  method: Delivery['method'];
  url: string;
  /** 0 while nothing has been sent. */
  attempt: number;
  series: number;
  /** The receiver's HTTP status; null when it never answered. */
  status: number | null;
  outcome: 'pending' | 'retrying' | 'delivered' | 'failed';
  error: string | null;
  durationMs: number | null;
  at: Date;
}

/** A delivery's attempts, oldest first, from its stream; a failure with no attempt (a removed postback) shows as one. */
export function postbackAttempts(delivery: Delivery, events: StoredEvent[]): PostbackAttemptView[] {
  const base = { deliveryId: delivery.id, event: delivery.event, method: delivery.method };
  const views: PostbackAttemptView[] = [];
  for (const e of events) {
    if (e.type === 'PostbackAttempted') {
      const d = e.data;
      const outcome = d.retryInMs === undefined ? 'failed' : 'retrying';
      views.push({ ...base, url: d.url, attempt: d.attempt, series: d.series, status: d.status ?? null, outcome, error: d.error ?? null, durationMs: d.durationMs, at: e.createdAt });
    } else if (e.type === 'PostbackDelivered') {
      const attempt = views.find((v) => v.attempt === e.data.attempt);
      if (attempt) attempt.outcome = 'delivered';
    } else if (e.type === 'PostbackFailed' && !views.some((v) => v.series === e.data.series)) {
      const url = renderPostbackUrl(delivery.url, delivery.payload);
      views.push({ ...base, url, attempt: 0, series: e.data.series, status: null, outcome: 'failed', error: e.data.error, durationMs: null, at: e.createdAt });
    }
  }
  if (views.length === 0) {
    const url = renderPostbackUrl(delivery.url, delivery.payload);
    views.push({ ...base, url, attempt: 0, series: delivery.series, status: null, outcome: 'pending', error: null, durationMs: null, at: delivery.created_at });
  }
  return views;
}

async function getDelivery(deps: AppDeps, deliveryId: string): Promise<Delivery> {
  const row = await deps.storage.db.selectFrom('postback_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst();
  if (!row) throw errors.notFound('Postback delivery');
  return row;
}

/** Postback deliveries: one delivery's log, and "send it again". */
export function postbackDeliveryRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/postbacks/:deliveryId', async (ctx) => {
    const d = await getDelivery(deps, ctx.params.deliveryId!);
    const events = await deps.store.readStream(postbackStreamOf(d.id));
    ctx.body = {
      id: d.id,
      postbackId: d.postback_id,
      affiliateId: d.affiliate_id,
      leadId: d.lead_id,
      event: d.event,
      transactionId: d.transaction_id,
      method: d.method,
      status: d.status,
      series: d.series,
      attempts: postbackAttempts(d, events),
      createdAt: d.created_at,
      updatedAt: d.updated_at,
    };
  });

  /**
   * Starts a new series of attempts (the retry schedule from the top), whatever became of
   * the last one. The dispatcher enqueues it when the event commits.
   */
  router.post('/postbacks/:deliveryId/resend', async (ctx) => {
    const d = await getDelivery(deps, ctx.params.deliveryId!);
    const stream = postbackStreamOf(d.id);
    const series = postbackState(await deps.store.readStream(stream)).series + 1;
    await appendFor(deps, ctx, stream, [event('PostbackResendRequested', { deliveryId: d.id, series })]);
    ctx.status = 202;
    ctx.body = { success: true, deliveryId: d.id, series };
  });

  return router;
}
