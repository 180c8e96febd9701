import { sql } from 'kysely';
import { errors } from '../api/errors.js';
import { event } from '../events/events.js';
import { newId } from '../ids.js';
import { randomBase58, sha256 } from '../security/tokens.js';
import type { CommandDeps, Meta } from './deps.js';

export interface ProductView {
  id: string;
  name: string;
  advertiser: string | null;
  hasApiIntegration: boolean;
  createdAt: Date;
  updatedAt: Date;
  conversionSecret?: string;
}

function newConversionSecret(): string {
  return `cs_${randomBase58(32)}`;
}

export async function createProduct(deps: CommandDeps, input: { name: string; advertiser?: string | null }, meta: Meta): Promise<ProductView> {
  const productId = newId('p');
  const secret = newConversionSecret();
  await deps.storage.db.transaction().execute(async (trx) => {
    const conversionSecretId = await deps.vault.store(trx, secret);
    await deps.store.append(
      `product-${productId}`,
      [event('ProductCreated', { productId, name: input.name, advertiser: input.advertiser ?? null, conversionSecretId, conversionSecretHash: sha256(secret) })],
      { expectedVersion: 'no_stream', metadata: meta, trx },
    );
  });
  return getProduct(deps, productId);
}

export async function updateProduct(deps: CommandDeps, productId: string, patch: { name?: string; advertiser?: string | null }, meta: Meta): Promise<ProductView> {
  const current = await getProduct(deps, productId, { withSecret: false });
  await deps.store.append(
    `product-${productId}`,
    [event('ProductUpdated', { productId, name: patch.name ?? current.name, advertiser: patch.advertiser === undefined ? current.advertiser : patch.advertiser })],
    { expectedVersion: 'any', metadata: meta },
  );
  return getProduct(deps, productId);
}

export async function rotateConversionSecret(deps: CommandDeps, productId: string, meta: Meta): Promise<ProductView> {
  await getProduct(deps, productId, { withSecret: false });
  const secret = newConversionSecret();
  await deps.storage.db.transaction().execute(async (trx) => {
    const conversionSecretId = await deps.vault.store(trx, secret);
    await deps.store.append(
      `product-${productId}`,
      [event('ProductConversionSecretRotated', { productId, conversionSecretId, conversionSecretHash: sha256(secret) })],
      { expectedVersion: 'any', metadata: meta, trx },
    );
  });
  return getProduct(deps, productId);
}

function productsQuery(deps: CommandDeps) {
  return deps.storage.db
    .selectFrom('products as p')
    .select(['p.id', 'p.name', 'p.advertiser', 'p.created_at', 'p.updated_at', 'p.conversion_secret_id'])
    .select(
      sql<boolean>`exists (select 1 from integrations i where i.product_id = p.id and i.deleted_at is null)`.as('has_api_integration'),
    );
}

export async function listProducts(deps: CommandDeps): Promise<ProductView[]> {
  const rows = await productsQuery(deps).orderBy('p.created_at').orderBy('p.id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, advertiser: r.advertiser, hasApiIntegration: r.has_api_integration, createdAt: r.created_at, updatedAt: r.updated_at }));
}

/** One product; its conversion secret (revealed from the vault) unless told otherwise. */
export async function getProduct(deps: CommandDeps, productId: string, options: { withSecret?: boolean } = {}): Promise<ProductView> {
  const row = await productsQuery(deps).where('p.id', '=', productId).executeTakeFirst();
  if (!row) throw errors.notFound('Product');
  const view: ProductView = { id: row.id, name: row.name, advertiser: row.advertiser, hasApiIntegration: row.has_api_integration, createdAt: row.created_at, updatedAt: row.updated_at };
  if (options.withSecret !== false) view.conversionSecret = await deps.vault.reveal(deps.storage.db, row.conversion_secret_id);
  return view;
}
