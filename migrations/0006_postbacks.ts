import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// Conversions reported by advertisers (their idempotency), and the postbacks owed to
// affiliates: one row a (postback, lead, event, transaction), with what it will send.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Written in the same transaction as the LeadConverted it records: the primary key makes a
  // repeated (product, transactionId) a no-op, however many requests race.
  await db.schema
    .createTable('conversions')
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('conversion_id', 'text', (c) => c.notNull().unique())
    .addColumn('lead_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('conversions_pk', ['product_id', 'transaction_id'])
    .execute();

  // Advertisers authenticate by their product's conversion secret: one indexed lookup by hash.
  await db.schema.createIndex('products_conversion_secret_hash').on('products').column('conversion_secret_hash').execute();

  await db.schema
    .createTable('postback_deliveries')
    // A hash of (postback, lead, event, transaction): the trigger projection may run twice.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('postback_id', 'text', (c) => c.notNull())
    .addColumn('affiliate_id', 'text', (c) => c.notNull())
    .addColumn('lead_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('transaction_id', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    // The URL as configured when triggered, macros unfilled; the values to fill them with.
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('test', 'boolean', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('series', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('last_attempt_at', 'timestamptz')
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('queued_at', 'timestamptz')
    .addColumn('lease_until', 'timestamptz')
    .addColumn('lease_holder', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // The dispatcher looks for deliveries nothing has sent yet, or whose job went missing.
  await db.schema
    .createIndex('postback_deliveries_open')
    .on('postback_deliveries')
    .columns(['status', 'created_at'])
    .where(sql.ref('status'), 'in', sql`('new', 'retrying')`)
    .execute();
  // A lead's timeline lists its postbacks.
  await db.schema.createIndex('postback_deliveries_lead').on('postback_deliveries').column('lead_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('postback_deliveries').execute();
  await db.schema.dropIndex('products_conversion_secret_hash').execute();
  await db.schema.dropTable('conversions').execute();
}
