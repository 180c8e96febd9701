import type { CommandDeps } from '../../commands/deps.js';
import { errors } from '../errors.js';
import { leadStream } from '../../events/types/lead.js';

/** GET /api/v1/leads/{id}: the lead's status for its own affiliate; another affiliate's lead is a 404. */
export async function leadStatus(deps: CommandDeps, affiliateId: string, leadId: string): Promise<Record<string, unknown>> {
  const row = await deps.storage.db.selectFrom('leads').selectAll().where('lead_id', '=', leadId).where('affiliate_id', '=', affiliateId).executeTakeFirst();
  if (!row) throw errors.notFound('Lead');
  const events = await deps.store.readStream(leadStream(leadId));
  const conversions = events.flatMap((e) =>
    e.type === 'LeadConverted'
      ? [{ event: e.data.event, amount: e.data.amount === undefined ? undefined : Number(e.data.amount), currency: e.data.currency, occurredAt: e.data.occurredAt }]
      : [],
  );
  const final = row.status !== 'pending';
  return {
    success: true,
    leadId,
    status: row.status,
    receivedAt: row.received_at,
    autoLoginUrl: row.auto_login_url ?? undefined,
    error: final && row.status !== 'delivered' ? (row.error ?? undefined) : undefined,
    code: row.status === 'rejected' ? 'crm.rejected' : row.status === 'failed' ? (row.code ?? 'crm.unavailable') : undefined,
    conversions,
  };
}
