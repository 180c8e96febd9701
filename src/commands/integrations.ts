import { errors } from '../api/errors.js';
import { validate } from '../api/validate.js';
import { integrationInputSchema, maskedRequest, MASK, splitSecrets, type TargetPolicy } from '../crm/integrationInput.js';
import { event } from '../events/events.js';
import type { IntegrationDefinition } from '../events/types/configuration.js';
import { newId } from '../ids.js';
import type { CommandDeps, Meta } from './deps.js';
import { getProduct } from './products.js';

export interface IntegrationView {
  id: string;
  productId: string;
  type: 'leads' | 'registration';
  name: string;
  request: ReturnType<typeof maskedRequest>;
  response: IntegrationDefinition['response'];
  timeoutMs: number;
  retry: IntegrationDefinition['retry'];
  dedupe: IntegrationDefinition['dedupe'];
  createdAt: Date;
  updatedAt: Date;
}

export function targetPolicy(deps: CommandDeps): TargetPolicy {
  return { allowPrivate: deps.config.ALLOW_PRIVATE_TARGETS, sandboxBase: deps.config.PUBLIC_URL };
}

async function findIntegration(deps: CommandDeps, productId: string, integrationId: string) {
  const row = await deps.storage.db
    .selectFrom('integrations')
    .selectAll()
    .where('id', '=', integrationId)
    .where('product_id', '=', productId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw errors.notFound('Integration');
  return row;
}

function toView(row: Awaited<ReturnType<typeof findIntegration>>): IntegrationView {
  const d = row.definition;
  return {
    id: row.id,
    productId: row.product_id,
    type: row.type,
    name: row.name,
    request: maskedRequest(d),
    response: d.response,
    timeoutMs: d.timeoutMs,
    retry: d.retry,
    dedupe: d.dedupe,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The header values of an integration, unsealed (for delivery and for merging an edit). */
export async function integrationHeaders(deps: CommandDeps, headersSecretId: string | null): Promise<Record<string, string>> {
  if (!headersSecretId) return {};
  return JSON.parse(await deps.vault.reveal(deps.storage.db, headersSecretId)) as Record<string, string>;
}

export async function createIntegration(deps: CommandDeps, productId: string, body: unknown, meta: Meta): Promise<IntegrationView> {
  await getProduct(deps, productId, { withSecret: false });
  const input = validate(integrationInputSchema(targetPolicy(deps)), body);
  const { definition, headers } = splitSecrets(input);
  const integrationId = newId('i');
  await deps.storage.db.transaction().execute(async (trx) => {
    const headersSecretId = Object.keys(headers).length > 0 ? await deps.vault.store(trx, JSON.stringify(headers)) : null;
    await deps.store.append(
      `integration-${integrationId}`,
      [event('IntegrationCreated', { integrationId, productId, type: input.type, name: input.name, definition, headersSecretId })],
      { expectedVersion: 'no_stream', metadata: meta, trx },
    );
  });
  return getIntegration(deps, productId, integrationId);
}

/**
 * Applies a partial edit over the stored integration and validates the result as a whole.
 * A header sent as the mask (or omitted from a sent headers object's values) keeps its value.
 */
export async function updateIntegration(deps: CommandDeps, productId: string, integrationId: string, body: unknown, meta: Meta): Promise<IntegrationView> {
  const row = await findIntegration(deps, productId, integrationId);
  const patch = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const existingHeaders = await integrationHeaders(deps, row.headers_secret_id);
  const { headerNames: _names, ...existingRequest } = row.definition.request;
  const patchRequest = (patch.request && typeof patch.request === 'object' ? patch.request : {}) as Record<string, unknown>;
  const patchHeaders = patchRequest.headers as Record<string, unknown> | undefined;
  const headers =
    patchHeaders && typeof patchHeaders === 'object'
      ? Object.fromEntries(Object.entries(patchHeaders).map(([k, v]) => [k, v === MASK ? existingHeaders[k] ?? '' : v]))
      : existingHeaders;
  const merged = {
    type: row.type,
    name: row.name,
    response: row.definition.response,
    timeoutMs: row.definition.timeoutMs,
    retry: row.definition.retry,
    dedupe: row.definition.dedupe,
    ...patch,
    request: { ...existingRequest, ...patchRequest, headers },
  };
  const input = validate(integrationInputSchema(targetPolicy(deps)), merged);
  const split = splitSecrets(input);
  await deps.storage.db.transaction().execute(async (trx) => {
    const headersSecretId = Object.keys(split.headers).length > 0 ? await deps.vault.store(trx, JSON.stringify(split.headers)) : null;
    await deps.store.append(
      `integration-${integrationId}`,
      [event('IntegrationUpdated', { integrationId, productId, type: input.type, name: input.name, definition: split.definition, headersSecretId })],
      { expectedVersion: 'any', metadata: meta, trx },
    );
  });
  return getIntegration(deps, productId, integrationId);
}

export async function deleteIntegration(deps: CommandDeps, productId: string, integrationId: string, meta: Meta): Promise<void> {
  await findIntegration(deps, productId, integrationId);
  await deps.store.append(`integration-${integrationId}`, [event('IntegrationDeleted', { integrationId, productId })], {
    expectedVersion: 'any',
    metadata: meta,
  });
}

export async function getIntegration(deps: CommandDeps, productId: string, integrationId: string): Promise<IntegrationView> {
  return toView(await findIntegration(deps, productId, integrationId));
}

export async function listIntegrations(deps: CommandDeps, productId: string): Promise<IntegrationView[]> {
  await getProduct(deps, productId, { withSecret: false });
  const rows = await deps.storage.db
    .selectFrom('integrations')
    .selectAll()
    .where('product_id', '=', productId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toView);
}
