/**
 * Sends one lead to leadgate with the SDK and prints what became of it.
 *
 *   LEADGATE_URL=http://127.0.0.1:8080 LEADGATE_API_KEY=lg_… LEADGATE_CAMPAIGN_ID=c_… \
 *     npx tsx sdk/examples/sendLead.ts
 *
 * LEADGATE_PRODUCT_ID may stand in for the campaign when you have one campaign on that
 * product; LEADGATE_EMAIL picks the email (default: a fresh one, so reruns are not duplicates).
 * Exits 0 when the lead was delivered or is still pending, 1 otherwise.
 */
import { randomUUID } from 'node:crypto';
import { AffiliateClient, LeadgateError, type CreateLeadResult } from '../src/index.js';

const env = process.env;
const apiKey = env.LEADGATE_API_KEY;
if (!apiKey || (!env.LEADGATE_CAMPAIGN_ID && !env.LEADGATE_PRODUCT_ID)) {
  console.error('Set LEADGATE_API_KEY and LEADGATE_CAMPAIGN_ID (or LEADGATE_PRODUCT_ID); LEADGATE_URL defaults to http://127.0.0.1:8080.');
  process.exit(2);
}

const client = new AffiliateClient({ baseUrl: env.LEADGATE_URL ?? 'http://127.0.0.1:8080', apiKey });
const email = env.LEADGATE_EMAIL ?? `ana.${Date.now()}@example.com`;

/** One line for each way a lead can end up. */
function describe(result: CreateLeadResult): string {
  switch (result.status) {
    case 'delivered':
      return `delivered: lead ${result.leadId}, auto-login ${result.autoLoginUrl ?? '(none)'}`;
    case 'pending':
      return `pending: lead ${result.leadId}, the CRM has not answered yet`;
    case 'rejected':
      return `rejected by the CRM: lead ${result.leadId}, "${result.error}"`;
    case 'failed':
      return `failed: lead ${result.leadId}, ${result.code} "${result.error}"`;
    case 'refused':
      return `refused (${result.httpStatus} ${result.code}): ${result.error}${result.leadId ? ` — earlier lead ${result.leadId}` : ''}`;
  }
}

try {
  const result = await client.createLead(
    {
      campaignId: env.LEADGATE_CAMPAIGN_ID,
      productId: env.LEADGATE_PRODUCT_ID,
      firstName: 'Ana',
      lastName: 'Silva',
      email,
      phone: '+351912345678',
      country: 'PT',
      clickId: `example-${Date.now()}`,
    },
    // Were this call retried (after a network error, say), the same key would get the first
    // answer back instead of making a second lead.
    { idempotencyKey: randomUUID() },
  );
  console.log(`sent ${email} → ${describe(result)}`);
  if (result.status === 'pending') {
    const lead = await client.waitForLead(result.leadId, { timeoutMs: 30_000 });
    console.log(`then: ${lead.status}${lead.autoLoginUrl ? `, auto-login ${lead.autoLoginUrl}` : ''}${lead.error ? `, "${lead.error}"` : ''}`);
    process.exitCode = lead.status === 'delivered' || lead.status === 'pending' ? 0 : 1;
  } else {
    process.exitCode = result.status === 'delivered' ? 0 : 1;
  }
} catch (err) {
  if (!(err instanceof LeadgateError)) throw err;
  console.error(`could not send the lead: ${err.code}${err.status ? ` (HTTP ${err.status})` : ''}: ${err.message}`);
  process.exitCode = 1;
}
