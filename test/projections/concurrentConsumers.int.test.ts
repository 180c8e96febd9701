import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { EventStore } from '../../src/events/eventStore.js';
import { openTestStorage } from '../support/storages.js';
import { leadReceived } from '../support/events.js';

function startConsumer(url: string, name: string, runMs: number) {
  const child = fork(new URL('../support/consumerProcess.ts', import.meta.url).pathname, [url, name, String(runMs)], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`consumer ${name} exited early with ${code}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { ready, exited };
}

describe('two consumer processes on one projection (real Postgres)', () => {
  it('apply each event exactly once between them', async () => {
    const storage = await openTestStorage('postgres', 'two_consumers');
    const url = (storage as { url: string }).url;
    await sql`create table applied_events (global_position bigint not null, consumer text not null)`.execute(storage.db);
    const consumers = [startConsumer(url, 'one', 12_000), startConsumer(url, 'two', 12_000)];
    await Promise.all(consumers.map((c) => c.ready));

    // Concurrent appenders, so commits interleave while both consumers read.
    const store = new EventStore(storage.db);
    const total = 1500;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = 0; i < total / 10; i++) {
          const id = randomUUID();
          await store.append(`lead-${id}`, [leadReceived({ leadId: id })], { expectedVersion: 'no_stream' });
        }
      }),
    );

    const deadline = Date.now() + 10_000;
    let applied = 0;
    while (Date.now() < deadline) {
      const row = await sql<{ n: string }>`select count(*) as n from applied_events`.execute(storage.db);
      applied = Number(row.rows[0]!.n);
      if (applied >= total) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const stats = await sql<{ events: string; distinct_events: string; consumers: string }>`
      select count(*) as events, count(distinct global_position) as distinct_events, count(distinct consumer) as consumers
      from applied_events`.execute(storage.db);
    await Promise.all(consumers.map((c) => c.exited));
    const { events, distinct_events } = stats.rows[0]!;
    expect(Number(events)).toBe(total);
    expect(Number(distinct_events)).toBe(total);
  });
});
