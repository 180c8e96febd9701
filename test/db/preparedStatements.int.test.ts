import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/storage.js';
import { cleanup } from '../support/cleanup.js';
import { createTestDatabase } from '../support/databases.js';

async function openOneConnection(preparedStatements: boolean) {
  const database = await createTestDatabase('prepared');
  const storage = await openPostgres(database.url, { max: 1, preparedStatements });
  cleanup(async () => {
    await storage.close();
    await database.drop();
  });
  return storage;
}

const preparedOnConnection = async (storage: Awaited<ReturnType<typeof openPostgres>>) =>
  (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(storage.db)).rows.map((r) => r.statement);

describe('prepared statements on PostgreSQL', () => {
  it('prepares a parameterised statement once per connection and gives the same answers', async () => {
    const storage = await openOneConnection(true);
    const query = (n: number) => sql<{ doubled: number }>`select ${n}::int * 2 as doubled`.execute(storage.db);
    expect((await query(2)).rows).toEqual([{ doubled: 4 }]);
    expect((await query(21)).rows).toEqual([{ doubled: 42 }]);
    const prepared = await preparedOnConnection(storage);
    // One entry for the doubling, however often it ran; statements without parameters stay unprepared.
    expect(prepared.filter((s) => s.includes('* 2 as doubled'))).toHaveLength(1);
    expect(prepared.some((s) => s.includes('pg_prepared_statements'))).toBe(false);
    // A statement that fails still fails, and the connection goes on.
    await expect(sql`select ${'x'}::int`.execute(storage.db)).rejects.toThrow(/invalid input syntax/);
    expect((await query(5)).rows).toEqual([{ doubled: 10 }]);
  });

  it('prepares nothing with DATABASE_PREPARED_STATEMENTS=false (a transaction-mode PgBouncer)', async () => {
    const storage = await openOneConnection(false);
    await sql`select ${1}::int as one`.execute(storage.db);
    expect(await preparedOnConnection(storage)).toEqual([]);
  });
});
