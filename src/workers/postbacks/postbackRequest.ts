import type { Selectable } from 'kysely';
import type { PostbackDeliveriesTable } from '../../db/schema.js';
import { postbackBody, renderPostbackUrl } from './macros.js';
import { webhookHeaders } from './signature.js';

export type PostbackDelivery = Selectable<PostbackDeliveriesTable>;

export interface PostbackRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const USER_AGENT = 'leadgate-postback/1';

/**
 * The call one attempt makes: the URL with its macros filled in, and for a POST postback
 * the JSON body signed per Standard Webhooks with the affiliate's secret (`whsec_…`).
 */
export function postbackRequest(delivery: PostbackDelivery, sentAt: Date, secret: string | undefined): PostbackRequest {
  const url = renderPostbackUrl(delivery.url, delivery.payload);
  if (delivery.method === 'GET') return { method: 'GET', url, headers: { 'user-agent': USER_AGENT } };
  if (!secret) throw new Error(`postback ${delivery.id} is a POST but its affiliate has no signing secret`);
  const body = postbackBody(delivery.payload, delivery.test);
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...webhookHeaders(secret, delivery.id, sentAt, body) },
    body,
  };
}
