import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Storage } from '../../src/db/storage.js';
import { pipelinedTransaction, type PipeConnection, type TransactionPipe } from '../../src/db/transactionPipe.js';
import { DATABASE_KINDS, openTestStorage } from '../support/storages.js';

async function scratchTable(storage: Storage): Promise<() => Promise<string[]>> {
  await sql`create table if not exists pipe_rows (v text not null)`.execute(storage.db);
  await sql`truncate pipe_rows`.execute(storage.db);
  return async () => (await sql<{ v: string }>`select v from pipe_rows order by v`.execute(storage.db)).rows.map((r) => r.v);
}

const insert = (storage: Storage, pipe: TransactionPipe, v: string) => pipe.send(sql`insert into pipe_rows (v) values (${v})`.compile(storage.db));

/** The storage's transaction connection, noting each statement as it is handed to the connection. */
async function watched(storage: Storage): Promise<{ tx: Awaited<ReturnType<Storage['transactionConnection']>>; handed: string[] }> {
  const tx = await storage.transactionConnection();
  const handed: string[] = [];
  const connection: PipeConnection = {
    query: (text, values) => {
      handed.push(text);
      return tx.connection.query(text, values);
    },
    release: (destroy) => tx.connection.release(destroy),
  };
  return { tx: { ...tx, connection }, handed };
}

describe.each(DATABASE_KINDS)('pipelinedTransaction (%s)', (kind) => {
  it('runs the opening inside the transaction it begins, and commits what run sent', async () => {
    const storage = await openTestStorage(kind, 'pipe_commit');
    const rows = await scratchTable(storage);
    const inside = await pipelinedTransaction(await storage.transactionConnection(), "set local statement_timeout = '4321ms'", async (pipe) => {
      void insert(storage, pipe, 'a');
      const [row] = await pipe.send<{ statement_timeout: string }>('show statement_timeout');
      return row!.statement_timeout;
    });
    expect(inside).toBe('4321ms');
    expect(await rows()).toEqual(['a']);
    // SET LOCAL ended with the transaction: nothing of it stays on the pooled connection.
    const after = await pipelinedTransaction(await storage.transactionConnection(), 'select 1', async (pipe) => (await pipe.send<{ statement_timeout: string }>('show statement_timeout'))[0]!.statement_timeout);
    expect(after).not.toBe('4321ms');
  });

  it(`${kind === 'postgres' ? 'hands each statement to the connection at once, before the one ahead is answered' : 'hands each statement to the one session after the one ahead is answered'}, and answers each with its own rows`, async () => {
    const storage = await openTestStorage(kind, 'pipe_order');
    const { tx, handed } = await watched(storage);
    const answers = await pipelinedTransaction(tx, 'select pg_sleep(0.05)', async (pipe) => {
      const first = pipe.send<{ n: number }>('select 1 as n');
      const second = pipe.send<{ n: number }>('select 2 as n union all select 3');
      // Both sent before either is answered on PostgreSQL; PGlite's one session takes them in turn.
      if (kind === 'postgres') expect(handed).toEqual(['begin; select pg_sleep(0.05)', 'select 1 as n', 'select 2 as n union all select 3']);
      else expect(handed).not.toContain('select 1 as n');
      return [await first, await second];
    });
    expect(answers).toEqual([[{ n: 1 }], [{ n: 2 }, { n: 3 }]]);
    expect(handed.at(-1)).toBe('commit');
  });

  it('commits nothing when a statement fails, tells every caller that first failure, and leaves no connection inside a transaction', async () => {
    const storage = await openTestStorage(kind, 'pipe_rollback');
    const rows = await scratchTable(storage);
    await expect(
      pipelinedTransaction(await storage.transactionConnection(), 'select 1', async (pipe) => {
        void insert(storage, pipe, 'lost');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    // A failing statement in the middle: the ones behind it fail with its error, not with
    // "current transaction is aborted", and COMMIT only ends the transaction.
    let behind: unknown;
    await expect(
      pipelinedTransaction(await storage.transactionConnection(), 'select 1', async (pipe) => {
        void insert(storage, pipe, 'lost too');
        void pipe.send('select 1 / 0');
        pipe.send(sql`insert into pipe_rows (v) values ('after')`.compile(storage.db)).catch((err: unknown) => (behind = err));
        await pipe.commit();
      }),
    ).rejects.toThrow(/division by zero/);
    expect(String(behind)).toMatch(/division by zero/);
    // So does a failing opening.
    await expect(pipelinedTransaction(await storage.transactionConnection(), 'select 1 / 0', async (pipe) => insert(storage, pipe, 'never'))).rejects.toThrow(/division by zero/);
    expect(await rows()).toEqual([]);
    // Every pooled connection is usable and outside any transaction afterwards.
    for (let i = 0; i < 12; i++) await pipelinedTransaction(await storage.transactionConnection(), 'select 1', (pipe) => insert(storage, pipe, `ok${String(i).padStart(2, '0')}`));
    expect(await rows()).toHaveLength(12);
  });
});
