import { createHmac } from 'node:crypto';

/**
 * The Standard Webhooks headers for one POST: `webhook-id` (the delivery, the same on every
 * retry so a receiver can drop repeats), `webhook-timestamp` (seconds, at sending: receivers
 * refuse stale ones) and `webhook-signature`, the HMAC-SHA256 of `id.timestamp.body` keyed by
 * the base64 part of the affiliate's `whsec_` secret.
 */
export function webhookHeaders(secret: string, id: string, sentAt: Date, body: string): Record<string, string> {
  const timestamp = String(Math.floor(sentAt.getTime() / 1000));
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}
