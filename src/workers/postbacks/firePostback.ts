import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { CrmAnswer } from '../../crm/classify.js';
import type { OutboundHttp } from '../../crm/httpClient.js';
import type { Database } from '../../db/schema.js';
import type { Storage } from '../../db/storage.js';
import { event, type DomainEvent, type EventMetadata } from '../../events/events.js';
import type { EventStore } from '../../events/eventStore.js';
import type { Logger } from '../../logger.js';
import type { SecretVault } from '../../security/secretVault.js';
import { postbackRequest, type PostbackDelivery } from './postbackRequest.js';
import { postbackState } from './postbackState.js';
import { postbackRetryDelayMs } from './retrySchedule.js';

export interface PostbackDeps {
  storage: Storage;
  store: EventStore;
  vault: SecretVault;
  http: OutboundHttp;
  logger?: Logger;
  /** POSTBACK_RETRY_SCALE: multiplies the retry schedule's delays. */
  retryScale: number;
}

export type FireResult =
  | { status: 'delivered' | 'failed' | 'already_final' | 'superseded' | 'missing' }
  | { status: 'retry'; delayMs: number };

/** A receiver gets this long to answer; then the attempt counts as failed. */
export const POSTBACK_TIMEOUT_MS = 10_000;
/** How long an attempt holds its delivery: past its timeout, so a live attempt is never overlapped. */
const LEASE_MS = POSTBACK_TIMEOUT_MS + 5_000;
const BUSY_RETRY_MS = 1_000;

const METADATA: EventMetadata = { actor: { kind: 'system', id: 'postbacks' } };

export const postbackStreamOf = (deliveryId: string) => `postback-${deliveryId}`;

/**
 * Takes the delivery for one attempt, or answers undefined when another worker holds it (a
 * stalled job run twice, a resend while an attempt is in flight). A conditional UPDATE, not
 * a transaction held open across the HTTP call: the embedded database has one connection.
 * `abandoned` says the lease taken had expired with a holder: an attempt that never got to
 * record its outcome (its worker was killed, or the database went away after the call).
 */
async function claim(db: Kysely<Database>, deliveryId: string, holder: string): Promise<{ abandoned: boolean } | undefined> {
  const { rows } = await sql<{ abandoned: boolean }>`
    update postback_deliveries d
    set lease_until = now() + ${`${LEASE_MS} milliseconds`}::interval, lease_holder = ${holder}
    from (select id, lease_holder is not null as abandoned from postback_deliveries where id = ${deliveryId} for update) previous
    where d.id = previous.id and (d.lease_until is null or d.lease_until < now())
    returning previous.abandoned`.execute(db);
  return rows[0];
}

async function release(db: Kysely<Database>, deliveryId: string, holder: string): Promise<void> {
  await db.updateTable('postback_deliveries').set({ lease_until: null, lease_holder: null }).where('id', '=', deliveryId).where('lease_holder', '=', holder).execute();
}

function problemOf(answer: CrmAnswer): string | undefined {
  switch (answer.kind) {
    case 'response':
      return answer.status >= 200 && answer.status < 300 ? undefined : `receiver answered HTTP ${answer.status}`;
    case 'timeout':
      return `receiver did not answer within ${POSTBACK_TIMEOUT_MS} ms`;
    case 'network':
      return `receiver unreachable: ${answer.error}`;
    case 'too_large':
      return 'receiver answer exceeded the size limit';
  }
}

/**
 * One attempt of a postback delivery, for the job's series. A delivery whose series ended
 * (delivered, failed) or was superseded by a resend is never called again: replaying the
 * trigger projection or running a job twice makes no new call, and neither is a postback
 * the affiliate removed or that was disabled since. Any non-2xx answer is retried on the
 * schedule, except 410 Gone, which disables the postback.
 */
export async function firePostback(deps: PostbackDeps, deliveryId: string, series: number): Promise<FireResult> {
  const { db } = deps.storage;
  const holder = randomUUID();
  const lease = await claim(db, deliveryId, holder);
  if (!lease) {
    const exists = await db.selectFrom('postback_deliveries').select('id').where('id', '=', deliveryId).executeTakeFirst();
    return exists ? { status: 'retry', delayMs: BUSY_RETRY_MS } : { status: 'missing' };
  }
  try {
    const delivery = await db.selectFrom('postback_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirstOrThrow();
    const state = postbackState(await deps.store.readStream(postbackStreamOf(deliveryId)));
    if (series < state.series) return { status: 'superseded' };
    if (state.final) return { status: 'already_final' };

    const config = await db.selectFrom('postback_configs').select('disabled_at').where('id', '=', delivery.postback_id).executeTakeFirst();
    if (!config || config.disabled_at) {
      const error = config ? 'the postback is disabled' : 'the postback was removed';
      await record(deps, delivery, [event('PostbackFailed', { deliveryId, series: state.series, attempts: state.seriesAttempts, error })]);
      return { status: 'failed' };
    }

    const secret = delivery.method === 'POST' ? await signingSecret(deps, delivery.affiliate_id) : undefined;
    const request = postbackRequest(delivery, new Date(), secret);
    // An interrupted attempt counts as made: the receiver may have had that call. It goes in
    // the delivery's history before the call is made again, so a postback received twice is
    // explained (postbacks are at-least-once).
    const interrupted = lease.abandoned ? 1 : 0;
    if (lease.abandoned) {
      const error = 'outcome unknown: the attempt was interrupted before its answer was recorded';
      await record(deps, delivery, [
        event('PostbackAttempted', { deliveryId, series: state.series, attempt: state.attempts + 1, method: request.method, url: request.url, error, durationMs: 0, retryInMs: 0, outcomeUnknown: true }),
      ]);
    }
    const attempt = state.attempts + interrupted + 1;
    const answer = await deps.http.send({ ...request, timeoutMs: POSTBACK_TIMEOUT_MS });
    const status = answer.kind === 'response' ? answer.status : undefined;
    const error = problemOf(answer);
    const common = { deliveryId, series: state.series, attempt, method: request.method, url: request.url, status, error, durationMs: answer.durationMs };

    if (!error) {
      await record(deps, delivery, [event('PostbackAttempted', common), event('PostbackDelivered', { deliveryId, series: state.series, attempt })]);
      return { status: 'delivered' };
    }
    const seriesAttempts = state.seriesAttempts + interrupted + 1;
    if (status === 410) {
      const gone = 'the receiver answered 410 Gone; the postback is disabled';
      await record(deps, delivery, [event('PostbackAttempted', common), event('PostbackFailed', { deliveryId, series: state.series, attempts: seriesAttempts, error: gone })], {
        disable: gone,
      });
      return { status: 'failed' };
    }
    const delayMs = postbackRetryDelayMs(seriesAttempts, deps.retryScale);
    if (delayMs === undefined) {
      await record(deps, delivery, [event('PostbackAttempted', common), event('PostbackFailed', { deliveryId, series: state.series, attempts: seriesAttempts, error })]);
      return { status: 'failed' };
    }
    await record(deps, delivery, [event('PostbackAttempted', { ...common, retryInMs: delayMs })]);
    return { status: 'retry', delayMs };
  } finally {
    await release(db, deliveryId, holder);
  }
}

async function signingSecret(deps: PostbackDeps, affiliateId: string): Promise<string> {
  const { db } = deps.storage;
  const affiliate = await db.selectFrom('affiliates').select('postback_secret_id').where('id', '=', affiliateId).executeTakeFirstOrThrow();
  return deps.vault.reveal(db, affiliate.postback_secret_id);
}

/**
 * Appends an attempt's outcome to the delivery's stream ('any': the lease already keeps
 * attempts apart, and a resend may have been appended meanwhile); a 410 also disables the
 * postback on its affiliate's stream, in the same transaction.
 */
async function record(deps: PostbackDeps, delivery: PostbackDelivery, events: DomainEvent[], options: { disable?: string } = {}): Promise<void> {
  await deps.storage.db.transaction().execute(async (trx) => {
    await deps.store.append(postbackStreamOf(delivery.id), events, { expectedVersion: 'any', metadata: METADATA, trx });
    if (options.disable) {
      const disabled = event('PostbackDisabled', { postbackId: delivery.postback_id, affiliateId: delivery.affiliate_id, deliveryId: delivery.id, reason: options.disable });
      await deps.store.append(`affiliate-${delivery.affiliate_id}`, [disabled], { expectedVersion: 'any', metadata: METADATA, trx });
    }
  });
}
