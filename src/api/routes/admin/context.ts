import type { Context } from 'koa';
import type { Transaction } from 'kysely';
import type { Database } from '../../../db/schema.js';
import type { EventMetadata } from '../../../events/events.js';
import type { DomainEvent } from '../../../events/events.js';
import type { ExpectedVersion } from '../../../events/errors.js';
import { principalOf } from '../../auth/authenticate.js';
import { actorOf } from '../../auth/principal.js';
import type { AppDeps } from '../../deps.js';

/** The metadata every event appended for a request carries: who, from where, which request. */
export function metadataOf(ctx: Context): EventMetadata {
  return { requestId: ctx.state.requestId as string, actor: actorOf(principalOf(ctx)), sourceIp: ctx.ip };
}

/**
 * Appends events for a console request, with its actor in the metadata, optionally inside a
 * transaction that also stored sealed secrets.
 */
export function appendFor(
  deps: AppDeps,
  ctx: Context,
  streamId: string,
  events: DomainEvent[],
  options: { expectedVersion?: ExpectedVersion; trx?: Transaction<Database> } = {},
) {
  return deps.store.append(streamId, events, {
    expectedVersion: options.expectedVersion ?? 'any',
    metadata: metadataOf(ctx),
    trx: options.trx,
  });
}
