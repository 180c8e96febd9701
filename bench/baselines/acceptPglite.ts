import { PGlite } from '@electric-sql/pglite';
import { BASELINE_TABLE_SQL, env, serveBare } from './bareKoa.js';

/** Embedded accept baseline: one insert into PGlite (on disk, in DATA_DIR) per request, answered 202. */
const db = await PGlite.create({ dataDir: env('DATA_DIR') });
await db.exec(BASELINE_TABLE_SQL);
await serveBare(
  Number(env('PORT')),
  async (lead) => {
    const { rows } = await db.query<{ id: number }>('insert into bench_leads (email, data) values ($1, $2) returning id', [String(lead.email), lead]);
    return { status: 202, body: { success: true, leadId: String(rows[0]!.id), status: 'pending' } };
  },
  () => db.close(),
);
