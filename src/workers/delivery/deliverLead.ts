import type { Storage } from '../../db/storage.js';
import type { ConfigurationCache } from '../../events/configurationCache.js';
import type { IntegrationDefinition } from '../../events/types/configuration.js';
import { classify } from '../../crm/classify.js';
import type { OutboundHttp } from '../../crm/httpClient.js';
import { MASK } from '../../crm/integrationInput.js';
import { placeholdersIn } from '../../crm/placeholders.js';
import { renderRequest } from '../../crm/render.js';
import { ConcurrencyError } from '../../events/errors.js';
import { event, type DomainEvent, type EventData, type StoredEvent } from '../../events/events.js';
import type { EventStore } from '../../events/eventStore.js';
import { leadStream } from '../../events/types/lead.js';
import type { FreshStreams } from '../../events/freshStreams.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { SecretVault } from '../../security/secretVault.js';
import { retryDelayMs } from './backoff.js';
import { deliveryState } from './deliveryState.js';
import { recordedExchange } from './recordedExchange.js';

export interface DeliveryDeps {
  storage: Storage;
  store: EventStore;
  vault: SecretVault;
  http: OutboundHttp;
  logger?: Logger;
  metrics?: Pick<Metrics, 'deliveryAttempt'>;
  /** Integrations (with their decrypted headers) cached until configuration changes. */
  cache?: ConfigurationCache;
  /** Leads this process's intake just accepted: their streams, without reading them back. */
  fresh?: FreshStreams;
}

export type DeliveryResult =
  | { status: 'delivered' | 'rejected' | 'failed' | 'already_final' | 'missing' }
  /** Another worker appended first: it owns this attempt. */
  | { status: 'busy' }
  | { status: 'retry'; delayMs: number };

/** How long past its timeout an attempt with no outcome is presumed dead (its worker crashed). */
const DEAD_ATTEMPT_GRACE_MS = 5_000;

interface IntegrationForDelivery {
  definition: IntegrationDefinition;
  headers: Record<string, string>;
  /** Whether the request names the lead's password or the affiliate's parameters (else they need no read). */
  uses: { password: boolean; params: boolean };
}

async function loadIntegration(deps: DeliveryDeps, id: string): Promise<IntegrationForDelivery | undefined> {
  const { db } = deps.storage;
  const row = await db.selectFrom('integrations').select(['definition', 'headers_secret_id']).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const headers = row.headers_secret_id ? (JSON.parse(await deps.vault.reveal(db, row.headers_secret_id)) as Record<string, string>) : {};
  const named = placeholdersIn([row.definition.request.url, row.definition.request.body, headers]);
  return { definition: row.definition, headers, uses: { password: named.has('password'), params: [...named].some((n) => n.startsWith('params.')) } };
}

function integrationOf(deps: DeliveryDeps, id: string): Promise<IntegrationForDelivery | undefined> {
  return deps.cache ? deps.cache.get(`delivery:integration:${id}`, () => loadIntegration(deps, id)) : loadIntegration(deps, id);
}

/** The lead's sealed password (if any) and its affiliate's integration parameters, in one round trip, when the request uses them. */
async function leadExtras(
  deps: DeliveryDeps,
  leadId: string,
  apiIntegrationId: string | undefined,
  uses: IntegrationForDelivery['uses'],
): Promise<{ password?: string; params: Record<string, string> }> {
  if (!uses.password && !(uses.params && apiIntegrationId)) return { params: {} };
  const row = await deps.storage.db
    .selectNoFrom((eb) => [
      eb.selectFrom('lead_passwords').select('sealed').where('lead_id', '=', leadId).as('sealed'),
      eb.selectFrom('api_integrations').select('params').where('id', '=', apiIntegrationId ?? '').as('params'),
    ])
    .executeTakeFirstOrThrow();
  return { password: row.sealed ? deps.vault.open(row.sealed) : undefined, params: row.params ?? {} };
}

function templateValues(received: EventData<'LeadReceived'>, password: string | undefined): Record<string, string | undefined> {
  return {
    ...received.lead,
    password,
    leadId: received.leadId,
    affiliateId: received.affiliateId,
    campaignId: received.campaignId,
    productId: received.productId,
  };
}

/** The stream a step started from was not the stream's head after all (it came from FreshStreams). */
const STALE = Symbol('stale');

/**
 * One delivery step for a lead. Before calling the CRM it appends DeliveryAttemptStarted at
 * the stream version it read, so two workers (a stalled job re-run, a duplicate enqueue)
 * never call the CRM for the same lead at once; a lead with an outcome is never sent again.
 * A lead this process just accepted starts from the stream intake handed over; if that was
 * no longer the head, the append says so before any CRM call, and the step starts over from
 * the stream as read.
 */
export async function deliverLead(deps: DeliveryDeps, leadId: string, now = new Date()): Promise<DeliveryResult> {
  const stream = leadStream(leadId);
  const fresh = deps.fresh?.take(stream);
  if (fresh) {
    const result = await deliveryStep(deps, leadId, fresh, now, true);
    if (result !== STALE) return result;
  }
  const result = await deliveryStep(deps, leadId, await deps.store.readStream(stream), now, false);
  // Only a step from a handed-over stream finds it stale.
  return result === STALE ? { status: 'busy' } : result;
}

async function deliveryStep(deps: DeliveryDeps, leadId: string, history: StoredEvent[], now: Date, fresh: boolean): Promise<DeliveryResult | typeof STALE> {
  const state = deliveryState(history);
  const received = state.received;
  if (!received) return { status: 'missing' };
  if (state.final) return { status: 'already_final' };

  const integration = await integrationOf(deps, received.integrationId);
  const definition = integration?.definition;
  const maxAttempts = definition?.retry.attempts ?? 1;
  let version = state.version;

  if (state.openAttempt) {
    const deadAfter = (definition?.timeoutMs ?? 10_000) + DEAD_ATTEMPT_GRACE_MS;
    const age = now.getTime() - state.openAttempt.startedAt.getTime();
    if (age < deadAfter) return { status: 'retry', delayMs: deadAfter - age };
    // The worker that started this attempt died mid-call: the CRM may or may not have it.
    const interrupted = event('DeliveryAttemptFailed', {
      leadId,
      attempt: state.openAttempt.attempt,
      code: 'crm.timeout',
      error: `attempt ${state.openAttempt.attempt} was interrupted; the CRM may have received it`,
      outcomeUnknown: true,
    });
    const exhausted = state.attempts >= maxAttempts;
    const events: DomainEvent[] = exhausted
      ? [interrupted, event('LeadDeliveryFailed', { leadId, attempts: state.attempts, code: 'crm.timeout', error: interrupted.data.error })]
      : [interrupted];
    try {
      const stored = await appendDeliveryEvents(deps, leadId, events, version);
      version = stored;
    } catch (err) {
      if (err instanceof ConcurrencyError) return fresh ? STALE : { status: 'busy' };
      throw err;
    }
    if (exhausted) return { status: 'failed' };
  }

  if (!integration || !definition) {
    try {
      await appendDeliveryEvents(deps, leadId, [event('LeadDeliveryFailed', { leadId, attempts: state.attempts, code: 'crm.unavailable', error: 'the integration no longer exists' })], version);
    } catch (err) {
      if (fresh && err instanceof ConcurrencyError) return STALE;
      throw err;
    }
    return { status: 'failed' };
  }

  const attempt = state.attempts + 1;
  try {
    version = await appendDeliveryEvents(deps, leadId, [event('DeliveryAttemptStarted', { leadId, attempt })], version);
  } catch (err) {
    if (err instanceof ConcurrencyError) return fresh ? STALE : { status: 'busy' };
    throw err;
  }

  const { headers } = integration;
  const { password, params } = await leadExtras(deps, leadId, received.apiIntegrationId, integration.uses);
  // Every call carries the lead id, so a CRM that honours idempotency keys can tell a retry from a new lead.
  const sent = renderRequest(definition, { ...headers, 'Idempotency-Key': leadId }, templateValues(received, password), params);
  const answer = await deps.http.send({ ...sent, timeoutMs: definition.timeoutMs });
  const masked = password ? renderRequest(definition, { ...headers, 'Idempotency-Key': leadId }, templateValues(received, MASK), params) : sent;
  const http = recordedExchange(masked, Object.keys(headers), answer);
  const outcome = classify(definition, answer);

  let events: DomainEvent[];
  let result: DeliveryResult;
  if (outcome.kind === 'delivered') {
    events = [event('LeadDelivered', { leadId, attempt, autoLoginUrl: outcome.autoLoginUrl, externalId: outcome.externalId, http })];
    result = { status: 'delivered' };
  } else if (outcome.kind === 'rejected') {
    events = [event('LeadRejected', { leadId, attempt, code: outcome.code, error: outcome.error, http })];
    result = { status: 'rejected' };
  } else if (attempt >= definition.retry.attempts) {
    events = [
      event('DeliveryAttemptFailed', { leadId, attempt, code: outcome.code, error: outcome.error, outcomeUnknown: outcome.outcomeUnknown || undefined, http }),
      event('LeadDeliveryFailed', { leadId, attempts: attempt, code: outcome.code, error: outcome.error }),
    ];
    result = { status: 'failed' };
  } else {
    const delayMs = retryDelayMs(attempt, definition.retry.baseDelayMs, outcome.retryAfterMs);
    events = [event('DeliveryAttemptFailed', { leadId, attempt, code: outcome.code, error: outcome.error, outcomeUnknown: outcome.outcomeUnknown || undefined, retryInMs: delayMs, http })];
    result = { status: 'retry', delayMs };
  }
  deps.metrics?.deliveryAttempt(received.integrationId, result.status, answer.durationMs / 1000);
  try {
    await appendDeliveryEvents(deps, leadId, events, version);
  } catch (err) {
    // Only a worker that wrongly judged this attempt dead can have written in between.
    if (err instanceof ConcurrencyError) {
      deps.logger?.warn({ leadId, attempt }, 'lead stream moved during a CRM call; outcome not recorded twice');
      return { status: 'busy' };
    }
    throw err;
  }
  return result;
}

const DELIVERY_EVENTS = new Set(['DeliveryAttemptStarted', 'DeliveryAttemptFailed', 'LeadDelivered', 'LeadRejected', 'LeadDeliveryFailed']);

/**
 * Appends delivery events at the version this worker last saw (a single event is one
 * statement with its lead row update, see EventStore.append; a final outcome also drops the
 * sealed password there). Other writers share the lead's stream (a conversion can land
 * mid-call): when only such events came in between, the append is retried at the new head;
 * another delivery event in between means another worker owns the lead, and the
 * ConcurrencyError stands. Returns the stream's new version.
 */
async function appendDeliveryEvents(deps: DeliveryDeps, leadId: string, events: DomainEvent[], expectedVersion: number): Promise<number> {
  let version = expectedVersion;
  for (let tries = 0; ; tries++) {
    try {
      const stored = await deps.store.append(leadStream(leadId), events, { expectedVersion: version, metadata: { actor: { kind: 'system', id: 'delivery' } } });
      return stored[stored.length - 1]!.streamVersion;
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || tries >= 5) throw err;
      const since = (await deps.store.readStream(leadStream(leadId))).filter((e) => e.streamVersion > version);
      if (since.length === 0 || since.some((e) => DELIVERY_EVENTS.has(e.type))) throw err;
      version = since[since.length - 1]!.streamVersion;
    }
  }
}
