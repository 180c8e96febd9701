import { errors } from '../api/errors.js';
import { event, type EventData } from '../events/events.js';
import { newId } from '../ids.js';
import { TARGET_MESSAGES, targetProblem } from '../security/targets.js';
import { getAffiliate } from './affiliates.js';
import type { CommandDeps, Meta } from './deps.js';

export type PostbackEvent = EventData<'PostbackConfigured'>['event'];
export type PostbackMethod = EventData<'PostbackConfigured'>['method'];

/** Where an affiliate wants to hear about its leads: one URL per event, optionally per product. */
export interface PostbackView {
  id: string;
  affiliateId: string;
  event: PostbackEvent;
  /** As written, macros (`{click_id}`) included: they are filled in at send time. */
  url: string;
  method: PostbackMethod;
  productId: string | null;
  createdAt: Date;
}

export interface PostbackInput {
  event: PostbackEvent;
  url: string;
  method: PostbackMethod;
  productId?: string | null;
}

const streamOf = (affiliateId: string) => `affiliate-${affiliateId}`;

/**
 * Refuses a postback URL the sender could not or must not call. Macros are replaced by a
 * plain value first: they may sit anywhere in the URL, and an unknown one stays as written.
 */
function assertPostbackTarget(deps: CommandDeps, url: string): void {
  const problem = targetProblem(url.replace(/\{[^}]*\}/g, 'x'), { allowPrivate: deps.config.ALLOW_PRIVATE_TARGETS });
  if (problem) throw errors.validation('url', `url: ${TARGET_MESSAGES[problem]}`);
}

async function assertProductExists(deps: CommandDeps, productId: string): Promise<void> {
  const product = await deps.storage.db.selectFrom('products').select('id').where('id', '=', productId).executeTakeFirst();
  if (!product) throw errors.validation('productId', `productId: no product ${productId}`);
}

function postbacksQuery(deps: CommandDeps, affiliateId: string) {
  return deps.storage.db
    .selectFrom('postback_configs')
    .select(['id', 'affiliate_id', 'event', 'url', 'method', 'product_id', 'created_at'])
    .where('affiliate_id', '=', affiliateId);
}

function toView(r: {
  id: string;
  affiliate_id: string;
  event: PostbackEvent;
  url: string;
  method: PostbackMethod;
  product_id: string | null;
  created_at: Date;
}): PostbackView {
  return { id: r.id, affiliateId: r.affiliate_id, event: r.event, url: r.url, method: r.method, productId: r.product_id, createdAt: r.created_at };
}

async function getPostback(deps: CommandDeps, affiliateId: string, postbackId: string): Promise<PostbackView> {
  const row = await postbacksQuery(deps, affiliateId).where('id', '=', postbackId).executeTakeFirst();
  if (!row) throw errors.notFound('Postback');
  return toView(row);
}

export async function listPostbacks(deps: CommandDeps, affiliateId: string): Promise<PostbackView[]> {
  await getAffiliate(deps, affiliateId);
  const rows = await postbacksQuery(deps, affiliateId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toView);
}

export async function configurePostback(deps: CommandDeps, affiliateId: string, input: PostbackInput, meta: Meta): Promise<PostbackView> {
  await getAffiliate(deps, affiliateId);
  assertPostbackTarget(deps, input.url);
  const productId = input.productId ?? null;
  if (productId !== null) await assertProductExists(deps, productId);
  const postbackId = newId('pb');
  await deps.store.append(
    streamOf(affiliateId),
    [event('PostbackConfigured', { postbackId, affiliateId, event: input.event, url: input.url, method: input.method, productId })],
    { expectedVersion: 'any', metadata: meta },
  );
  return getPostback(deps, affiliateId, postbackId);
}

export async function removePostback(deps: CommandDeps, affiliateId: string, postbackId: string, meta: Meta): Promise<void> {
  await getAffiliate(deps, affiliateId);
  await getPostback(deps, affiliateId, postbackId);
  await deps.store.append(streamOf(affiliateId), [event('PostbackRemoved', { postbackId, affiliateId })], { expectedVersion: 'any', metadata: meta });
}
