import Router from '@koa/router';
import type { StoredEvent } from '../../../events/events.js';
import { leadStream, type HttpExchange } from '../../../events/types/lead.js';
import { postbackStreamOf } from '../../../workers/postbacks/firePostback.js';
import type { AppDeps } from '../../deps.js';
import { errors } from '../../errors.js';
import { postbackAttempts, type PostbackAttemptView } from './postbackDeliveries.js';

/** One call to the CRM as the timeline shows it. */
export interface DeliveryAttemptView {
  attempt: number;
  startedAt: Date;
  durationMs: number | null;
  outcome: 'in_progress' | 'delivered' | 'rejected' | 'failed';
  code: string | null;
  error: string | null;
  /** The CRM may have the lead although the attempt failed (a timeout, a crash mid-call). */
  outcomeUnknown: boolean;
  request: HttpExchange['request'] | null;
  response: HttpExchange['response'] | null;
}

/**
 * The lead's CRM attempts: each DeliveryAttemptStarted joined with its outcome. The recorded
 * exchanges were redacted when recorded (header values and the password masked), so they are
 * shown as they are.
 */
export function deliveryAttempts(events: StoredEvent[]): DeliveryAttemptView[] {
  const attempts = new Map<number, DeliveryAttemptView>();
  const open = (n: number, at: Date): DeliveryAttemptView => {
    let view = attempts.get(n);
    if (!view) {
      view = { attempt: n, startedAt: at, durationMs: null, outcome: 'in_progress', code: null, error: null, outcomeUnknown: false, request: null, response: null };
      attempts.set(n, view);
    }
    return view;
  };
  for (const e of events) {
    if (e.type === 'DeliveryAttemptStarted') open(e.data.attempt, e.createdAt);
    if (e.type !== 'LeadDelivered' && e.type !== 'LeadRejected' && e.type !== 'DeliveryAttemptFailed') continue;
    const view = open(e.data.attempt, e.createdAt);
    view.outcome = e.type === 'LeadDelivered' ? 'delivered' : e.type === 'LeadRejected' ? 'rejected' : 'failed';
    if (e.type !== 'LeadDelivered') Object.assign(view, { code: e.data.code, error: e.data.error });
    if (e.type === 'DeliveryAttemptFailed') view.outcomeUnknown = e.data.outcomeUnknown ?? false;
    const http = e.data.http;
    if (http) Object.assign(view, { durationMs: http.durationMs, request: http.request, response: http.response ?? null });
  }
  return [...attempts.values()].sort((a, b) => a.attempt - b.attempt);
}

/** GET /api/admin/leads/{leadId}: the lead, its events, its CRM attempts and its postbacks. */
export function leadTimelineRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/leads/:leadId', async (ctx) => {
    const { db } = deps.storage;
    const leadId = ctx.params.leadId!;
    const row = await db.selectFrom('leads').selectAll().where('lead_id', '=', leadId).executeTakeFirst();
    if (!row) throw errors.notFound('Lead');
    const events = await deps.store.readStream(leadStream(leadId));
    const received = events.find((e) => e.type === 'LeadReceived');

    const deliveries = await db.selectFrom('postback_deliveries').selectAll().where('lead_id', '=', leadId).orderBy('created_at').orderBy('id').execute();
    const postbacks: PostbackAttemptView[] = [];
    for (const delivery of deliveries) postbacks.push(...postbackAttempts(delivery, await deps.store.readStream(postbackStreamOf(delivery.id))));

    ctx.body = {
      lead: {
        leadId: row.lead_id,
        affiliateId: row.affiliate_id,
        campaignId: row.campaign_id,
        productId: row.product_id,
        integrationId: row.integration_id,
        status: row.status,
        code: row.code,
        error: row.error,
        autoLoginUrl: row.auto_login_url,
        externalId: row.external_id,
        test: row.test,
        attempts: row.attempts,
        receivedAt: row.received_at,
        updatedAt: row.updated_at,
        ...(received?.type === 'LeadReceived' ? received.data.lead : {}),
      },
      events: events.map((e) => ({ type: e.type, at: e.createdAt, data: e.data })),
      attempts: deliveryAttempts(events),
      postbacks: postbacks.sort((a, b) => a.at.getTime() - b.at.getTime()),
    };
  });

  return router;
}
