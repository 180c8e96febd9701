import { errors } from '../api/errors.js';
import { event, type EventData } from '../events/events.js';
import { leadStream } from '../events/types/lead.js';
import { newId } from '../ids.js';
import type { CommandDeps, Meta } from './deps.js';

export interface ConversionInput {
  leadId?: string;
  externalId?: string;
  event: EventData<'LeadConverted'>['event'];
  /** The plain decimal as the advertiser sent it ("250", "99.5"). */
  amount?: string;
  currency?: string;
  transactionId: string;
  occurredAt: string;
}

export interface ConversionResult {
  conversionId: string;
  leadId: string;
  duplicate: boolean;
}

/**
 * The product's lead the conversion is about: by our lead id, or by the id its CRM gave it
 * (the most recent lead with that id, should the CRM have reused one). Both given must agree.
 */
async function findLead(deps: CommandDeps, productId: string, input: ConversionInput): Promise<string> {
  let query = deps.storage.db.selectFrom('leads').select('lead_id').where('product_id', '=', productId);
  if (input.leadId !== undefined) query = query.where('lead_id', '=', input.leadId);
  if (input.externalId !== undefined) query = query.where('external_id', '=', input.externalId);
  const row = await query.orderBy('received_at', 'desc').limit(1).executeTakeFirst();
  if (!row) throw errors.notFound('Lead');
  return row.lead_id;
}

/**
 * Records a conversion an advertiser reported (POST /api/v1/conversions). Idempotent on
 * (product, transactionId): the `conversions` row and the LeadConverted event commit
 * together, and the row's primary key decides between racing repeats. The loser's INSERT
 * waits for the winner's transaction and then does nothing, so it answers as a duplicate
 * and appends nothing: no second event, no second postback.
 */
export async function recordConversion(deps: CommandDeps, productId: string, input: ConversionInput, meta: Meta): Promise<ConversionResult> {
  const leadId = await findLead(deps, productId, input);
  const conversionId = newId('cv');
  return deps.storage.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('conversions')
      .values({ product_id: productId, transaction_id: input.transactionId, conversion_id: conversionId, lead_id: leadId, event: input.event })
      .onConflict((oc) => oc.columns(['product_id', 'transaction_id']).doNothing())
      .returning('conversion_id')
      .executeTakeFirst();
    if (!inserted) {
      const first = await trx
        .selectFrom('conversions')
        .select(['conversion_id', 'lead_id'])
        .where('product_id', '=', productId)
        .where('transaction_id', '=', input.transactionId)
        .executeTakeFirstOrThrow();
      return { conversionId: first.conversion_id, leadId: first.lead_id, duplicate: true };
    }
    const converted = event('LeadConverted', {
      leadId,
      conversionId,
      productId,
      event: input.event,
      amount: input.amount,
      currency: input.currency,
      transactionId: input.transactionId,
      occurredAt: input.occurredAt,
    });
    await deps.store.append(leadStream(leadId), [converted], { expectedVersion: 'any', metadata: meta, trx });
    return { conversionId, leadId, duplicate: false };
  });
}
