import { AppError, errors } from '../api/errors.js';
import { event } from '../events/events.js';
import { newId } from '../ids.js';
import { getAffiliate } from './affiliates.js';
import type { CommandDeps, Meta } from './deps.js';
import { isUniqueViolation } from '../db/errors.js';

/** What the console's API tab edits for one product integration enabled for one affiliate. */
export interface ApiIntegrationSettings {
  enabled: boolean;
  /** ISO 3166-1 alpha-2 codes a lead's country must be among; null allows every country. */
  allowedCountries: string[] | null;
  /** Accepted leads per UTC day; null for no cap. */
  dailyCap: number | null;
  /** Extra template values, `{{params.<name>}}`. */
  params: Record<string, string>;
}

export interface ApiIntegrationView extends ApiIntegrationSettings {
  id: string;
  affiliateId: string;
  integrationId: string;
  productId: string;
  integrationName: string;
  createdAt: Date;
  updatedAt: Date;
}

const duplicate = () => new AppError(409, 'duplicate', 'integrationId: this integration is already enabled for the affiliate');

export async function addApiIntegration(
  deps: CommandDeps,
  affiliateId: string,
  input: ApiIntegrationSettings & { integrationId: string },
  meta: Meta,
): Promise<ApiIntegrationView> {
  await getAffiliate(deps, affiliateId);
  const integration = await deps.storage.db
    .selectFrom('integrations')
    .select(['id', 'product_id'])
    .where('id', '=', input.integrationId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!integration) throw errors.validation('integrationId', 'integrationId: no such integration');
  const existing = await deps.storage.db
    .selectFrom('api_integrations')
    .select('id')
    .where('affiliate_id', '=', affiliateId)
    .where('integration_id', '=', integration.id)
    .executeTakeFirst();
  if (existing) throw duplicate();

  const apiIntegrationId = newId('ai');
  const { integrationId: _, ...settings } = input;
  try {
    await deps.store.append(
      `affiliate-${affiliateId}`,
      [event('ApiIntegrationAdded', { apiIntegrationId, affiliateId, integrationId: integration.id, productId: integration.product_id, ...settings })],
      { expectedVersion: 'any', metadata: meta },
    );
  } catch (err) {
    // Two requests both passed the check: the unique (affiliate_id, integration_id) index lets one in.
    if (isUniqueViolation(err)) throw duplicate();
    throw err;
  }
  return getApiIntegration(deps, affiliateId, apiIntegrationId);
}

/** A partial edit: settings left out keep their value; `allowedCountries: null` and `dailyCap: null` clear them. */
export async function updateApiIntegration(
  deps: CommandDeps,
  affiliateId: string,
  apiIntegrationId: string,
  patch: Partial<ApiIntegrationSettings>,
  meta: Meta,
): Promise<ApiIntegrationView> {
  const current = await getApiIntegration(deps, affiliateId, apiIntegrationId);
  await deps.store.append(
    `affiliate-${affiliateId}`,
    [
      event('ApiIntegrationUpdated', {
        apiIntegrationId,
        affiliateId,
        integrationId: current.integrationId,
        productId: current.productId,
        enabled: patch.enabled ?? current.enabled,
        allowedCountries: patch.allowedCountries === undefined ? current.allowedCountries : patch.allowedCountries,
        dailyCap: patch.dailyCap === undefined ? current.dailyCap : patch.dailyCap,
        params: patch.params ?? current.params,
      }),
    ],
    { expectedVersion: 'any', metadata: meta },
  );
  return getApiIntegration(deps, affiliateId, apiIntegrationId);
}

export async function removeApiIntegration(deps: CommandDeps, affiliateId: string, apiIntegrationId: string, meta: Meta): Promise<void> {
  await getApiIntegration(deps, affiliateId, apiIntegrationId);
  await deps.store.append(`affiliate-${affiliateId}`, [event('ApiIntegrationRemoved', { apiIntegrationId, affiliateId })], {
    expectedVersion: 'any',
    metadata: meta,
  });
}

function apiIntegrationsQuery(deps: CommandDeps, affiliateId: string) {
  return deps.storage.db
    .selectFrom('api_integrations as ai')
    .innerJoin('integrations as i', 'i.id', 'ai.integration_id')
    .select([
      'ai.id',
      'ai.affiliate_id',
      'ai.integration_id',
      'ai.product_id',
      'i.name as integration_name',
      'ai.enabled',
      'ai.allowed_countries',
      'ai.daily_cap',
      'ai.params',
      'ai.created_at',
      'ai.updated_at',
    ])
    .where('ai.affiliate_id', '=', affiliateId);
}

type Row = Awaited<ReturnType<ReturnType<typeof apiIntegrationsQuery>['executeTakeFirstOrThrow']>>;

function toView(r: Row): ApiIntegrationView {
  return {
    id: r.id,
    affiliateId: r.affiliate_id,
    integrationId: r.integration_id,
    productId: r.product_id,
    integrationName: r.integration_name,
    enabled: r.enabled,
    allowedCountries: r.allowed_countries,
    dailyCap: r.daily_cap,
    params: r.params,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function getApiIntegration(deps: CommandDeps, affiliateId: string, apiIntegrationId: string): Promise<ApiIntegrationView> {
  await getAffiliate(deps, affiliateId);
  const row = await apiIntegrationsQuery(deps, affiliateId).where('ai.id', '=', apiIntegrationId).executeTakeFirst();
  if (!row) throw errors.notFound('API integration');
  return toView(row);
}

export async function listApiIntegrations(deps: CommandDeps, affiliateId: string): Promise<ApiIntegrationView[]> {
  await getAffiliate(deps, affiliateId);
  const rows = await apiIntegrationsQuery(deps, affiliateId).orderBy('ai.created_at').orderBy('ai.id').execute();
  return rows.map(toView);
}
