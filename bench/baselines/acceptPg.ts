import pg from 'pg';
import { BASELINE_TABLE_SQL, env, serveBare } from './bareKoa.js';

/**
 * Accept baseline: one `INSERT … RETURNING` through a pg pool per request (the pool as large
 * as leadgate's), answered 202.
 */
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: 10, keepAlive: true });
await pool.query(BASELINE_TABLE_SQL);
await serveBare(
  Number(env('PORT')),
  async (lead) => {
    const { rows } = await pool.query<{ id: string }>('insert into bench_leads (email, data) values ($1, $2) returning id', [String(lead.email), lead]);
    return { status: 202, body: { success: true, leadId: rows[0]!.id, status: 'pending' } };
  },
  () => pool.end(),
);
