import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<unknown>): Promise<void> {
  let table = db.schema
    .createTable('leads_report')
    .addColumn('lead_id', 'text', (c) => c.primaryKey())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('affiliate_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text')
    .addColumn('product_id', 'text')
    .addColumn('integration_id', 'text')
    .addColumn('country', 'text')
    .addColumn('email', 'text')
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('phone', 'text')
    .addColumn('click_id', 'text');
  for (let i = 1; i <= 10; i++) table = table.addColumn(`sub${i}`, 'text');
  await table
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('error', 'text')
    .addColumn('auto_login_url', 'text')
    .addColumn('external_id', 'text')
    .addColumn('signup_at', 'timestamptz')
    .addColumn('ftd_at', 'timestamptz')
    .addColumn('ftd_amount', 'numeric')
    .addColumn('ftd_currency', 'text')
    .addColumn('test', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // The report's filters: an affiliate's rows in a date range (keyset on received_at, lead_id),
  // and a manager's view over everyone.
  await db.schema.createIndex('leads_report_affiliate_time').on('leads_report').columns(['affiliate_id', 'received_at', 'lead_id']).execute();
  await db.schema.createIndex('leads_report_time').on('leads_report').columns(['received_at', 'lead_id']).execute();
  await db.schema.createIndex('leads_report_email').on('leads_report').expression(sql`lower(email)`).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('leads_report').execute();
}
