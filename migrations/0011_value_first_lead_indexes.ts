import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.
// The duplicate checks and the conversion lookup by external id each name a product and a
// value. Their indexes all led with product_id, so every one of them served any of these
// lookups through its first column, and while `leads` had the statistics of a small table
// (a new install, before its first ANALYZE: all four looked equally cheap) the planner could
// take another field's index and filter the product's every lead per probe. The prepared
// plan kept that choice as the table grew: in the bench each intake batch's duplicate lookup
// came to take 5-13 ms at 20,000 leads. Led by the value, an index serves only its own lookup.
const INDEXES = [
  { old: 'leads_dedupe_email', name: 'leads_by_email', columns: ['email_norm', 'product_id', 'received_at'] },
  { old: 'leads_dedupe_phone', name: 'leads_by_phone', columns: ['phone_norm', 'product_id', 'received_at'] },
  { old: 'leads_dedupe_click_id', name: 'leads_by_click_id', columns: ['click_id', 'product_id', 'received_at'] },
  { old: 'leads_external_id', name: 'leads_by_external_id', columns: ['external_id', 'product_id'] },
] as const;

const restore = (columns: readonly string[]) => ['product_id', columns[0]!, ...columns.slice(2)];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const { old, name, columns } of INDEXES) {
    await db.schema.createIndex(name).on('leads').columns([...columns]).execute();
    await db.schema.dropIndex(old).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const { old, name, columns } of INDEXES) {
    await db.schema.createIndex(old).on('leads').columns(restore(columns)).execute();
    await db.schema.dropIndex(name).execute();
  }
}
