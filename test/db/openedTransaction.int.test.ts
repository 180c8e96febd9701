import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openedTransaction } from '../../src/db/openedTransaction.js';
import type { Storage } from '../../src/db/storage.js';
import { DATABASE_KINDS, openTestStorage } from '../support/storages.js';

async function scratchTable(storage: Storage): Promise<() => Promise<string[]>> {
  await sql`create table if not exists opened_tx_rows (v text not null)`.execute(storage.db);
  await sql`truncate opened_tx_rows`.execute(storage.db);
  return async () => (await sql<{ v: string }>`select v from opened_tx_rows order by v`.execute(storage.db)).rows.map((r) => r.v);
}

const insert = (trx: Parameters<Parameters<typeof openedTransaction>[2]>[0], v: string) => sql`insert into opened_tx_rows (v) values (${v})`.execute(trx);

describe.each(DATABASE_KINDS)('openedTransaction (%s)', (kind) => {
  it('runs the opening inside the transaction it begins, and commits what run wrote', async () => {
    const storage = await openTestStorage(kind, 'opened_tx_commit');
    const rows = await scratchTable(storage);
    const inside = await openedTransaction(storage.db, "set local statement_timeout = '4321ms'", async (trx) => {
      await insert(trx, 'a');
      return (await sql<{ statement_timeout: string }>`show statement_timeout`.execute(trx)).rows[0]!.statement_timeout;
    });
    expect(inside).toBe('4321ms');
    expect(await rows()).toEqual(['a']);
    // SET LOCAL ended with the transaction: nothing of it stays on the pooled connection.
    const after = await storage.db.connection().execute(async (conn) => (await sql<{ statement_timeout: string }>`show statement_timeout`.execute(conn)).rows[0]!.statement_timeout);
    expect(after).not.toBe('4321ms');
  });

  it('rolls back what run wrote when it throws, and leaves no connection inside a transaction', async () => {
    const storage = await openTestStorage(kind, 'opened_tx_rollback');
    const rows = await scratchTable(storage);
    await expect(
      openedTransaction(storage.db, 'select 1', async (trx) => {
        await insert(trx, 'lost');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    // A statement that fails in the database aborts the transaction: rolled back the same way.
    await expect(
      openedTransaction(storage.db, 'select 1', async (trx) => {
        await insert(trx, 'lost too');
        await sql`select 1 / 0`.execute(trx);
      }),
    ).rejects.toThrow(/division by zero/);
    // So is a failing opening.
    await expect(openedTransaction(storage.db, 'select 1 / 0', async (trx) => insert(trx, 'never'))).rejects.toThrow(/division by zero/);
    expect(await rows()).toEqual([]);
    // Every pooled connection is usable and outside any transaction afterwards.
    for (let i = 0; i < 12; i++) await openedTransaction(storage.db, 'select 1', (trx) => insert(trx, `ok${String(i).padStart(2, '0')}`));
    expect(await rows()).toHaveLength(12);
  });
});
