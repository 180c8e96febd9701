import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// The hot path's inline state for leads, the sealed passwords awaiting delivery, and
// idempotency keys.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('leads')
    .addColumn('lead_id', 'text', (c) => c.primaryKey())
    .addColumn('affiliate_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('integration_id', 'text', (c) => c.notNull())
    .addColumn('api_integration_id', 'text')
    .addColumn('email_norm', 'text', (c) => c.notNull())
    .addColumn('phone_norm', 'text')
    .addColumn('click_id', 'text')
    .addColumn('test', 'boolean', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('error', 'text')
    .addColumn('auto_login_url', 'text')
    .addColumn('external_id', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_attempt_started_at', 'timestamptz')
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('stream_version', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // Duplicate checks: same product and email (or phone, click id) among recent live leads.
  await db.schema.createIndex('leads_dedupe_email').on('leads').columns(['product_id', 'email_norm', 'received_at']).execute();
  await db.schema.createIndex('leads_dedupe_phone').on('leads').columns(['product_id', 'phone_norm', 'received_at']).execute();
  // Daily caps count an affiliate's accepted leads per integration and day.
  await db.schema.createIndex('leads_affiliate_time').on('leads').columns(['affiliate_id', 'integration_id', 'received_at']).execute();
  // The sweeper looks for pending leads that nothing is working on.
  await db.schema.createIndex('leads_pending').on('leads').columns(['status', 'updated_at']).where(sql.ref('status'), '=', 'pending').execute();
  await db.schema.createIndex('leads_external_id').on('leads').columns(['product_id', 'external_id']).execute();

  // A registration password, sealed, kept only until delivery ends.
  await db.schema
    .createTable('lead_passwords')
    .addColumn('lead_id', 'text', (c) => c.primaryKey())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('affiliate_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('lead_id', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['affiliate_id', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute();
  await db.schema.dropTable('lead_passwords').execute();
  await db.schema.dropTable('leads').execute();
}
