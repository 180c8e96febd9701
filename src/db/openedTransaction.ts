import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * A transaction whose BEGIN travels with `opening` — parameterless statements, sent together
 * in the simple protocol — so its first work costs no round trip of its own. `run` gets the
 * connection, held between BEGIN and COMMIT; if the opening or `run` throws, or COMMIT fails,
 * the transaction is rolled back before the connection goes back to the pool.
 */
export async function openedTransaction<T>(db: Kysely<Database>, opening: string, run: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    try {
      // Inside the try: if the opening fails, its BEGIN has already left the connection in a transaction.
      await sql.raw(`begin; ${opening}`).execute(conn);
      const result = await run(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}
