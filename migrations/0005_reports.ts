import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// The report filters' indexes, and the daily aggregates with the per-lead state that keeps
// them exact as leads change status.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Each filter walks its index newest first, in the keyset order (received_at, lead_id) the
  // report pages by. Affiliate, time and lower(email) are covered by 0002.
  await db.schema.createIndex('leads_report_campaign_time').on('leads_report').columns(['campaign_id', 'received_at', 'lead_id']).execute();
  await db.schema.createIndex('leads_report_product_time').on('leads_report').columns(['product_id', 'received_at', 'lead_id']).execute();
  await db.schema.createIndex('leads_report_status_time').on('leads_report').columns(['status', 'received_at', 'lead_id']).execute();

  // One row per UTC day of receipt and (affiliate, campaign, product, country, test). A refusal
  // may lack a campaign, product or country: '' stands for "unknown", because key columns of a
  // primary key (and of ON CONFLICT) cannot be null.
  await db.schema
    .createTable('daily_summary')
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('affiliate_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('test', 'boolean', (c) => c.notNull())
    .addColumn('leads', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delivered', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rejected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pending', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('duplicates', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('refused', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('signups', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ftds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ftd_amount', 'numeric', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('daily_summary_pk', ['day', 'affiliate_id', 'campaign_id', 'product_id', 'country', 'test'])
    .execute();
  // An affiliate's own summary over a range of days.
  await db.schema.createIndex('daily_summary_affiliate_day').on('daily_summary').columns(['affiliate_id', 'day']).execute();

  // What the aggregates need to know of each accepted lead when a later event names only its id.
  await db.schema
    .createTable('daily_summary_leads')
    .addColumn('lead_id', 'text', (c) => c.primaryKey())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('affiliate_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('test', 'boolean', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('signed_up', 'boolean', (c) => c.notNull().defaultTo(sql`false`))
    .addColumn('ftd', 'boolean', (c) => c.notNull().defaultTo(sql`false`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('daily_summary_leads').execute();
  await db.schema.dropTable('daily_summary').execute();
  await db.schema.dropIndex('leads_report_status_time').execute();
  await db.schema.dropIndex('leads_report_product_time').execute();
  await db.schema.dropIndex('leads_report_campaign_time').execute();
}
