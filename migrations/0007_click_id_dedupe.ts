import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Duplicate checks on the click id (an integration's `dedupe.fields` may name it) had no
// index of their own and scanned every lead of the product.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('leads_dedupe_click_id').on('leads').columns(['product_id', 'click_id', 'received_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('leads_dedupe_click_id').execute();
}
