import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/schema.js';
import { openPostgres } from '../../src/db/storage.js';
import { EventStore } from '../../src/events/eventStore.js';
import type { StoredEvent } from '../../src/events/events.js';
import { checkpointOf, readAllBatch, START, type Checkpoint } from '../../src/events/readAllBatch.js';
import { openTestStorage } from '../support/storages.js';
import { leadReceived } from '../support/events.js';

/** The naive consumer the design warns about: positions are assigned at insert, not at commit. */
async function naiveRead(db: Kysely<Database>, after: string): Promise<{ global_position: string; stream_id: string }[]> {
  return db
    .selectFrom('events')
    .select(['global_position', 'stream_id'])
    .where(sql<boolean>`global_position > ${after}::bigint`)
    .orderBy('global_position')
    .execute();
}

describe('reading the log while transactions commit out of order (real Postgres)', () => {
  it('a gap-safe consumer sees both events once, in order; a naive one loses the slow commit', async () => {
    const storage = await openTestStorage('postgres', 'gap');
    const other = await openPostgres((storage as { url: string }).url);
    const store = new EventStore(storage.db);
    const a = randomUUID();
    const b = randomUUID();

    // Transaction A appends first and stays open, so its event takes the lower position.
    let releaseA!: () => void;
    const aHolds = new Promise<void>((r) => (releaseA = r));
    let aAppended!: () => void;
    const aHasAppended = new Promise<void>((r) => (aAppended = r));
    const txA = storage.db.transaction().execute(async (trx) => {
      await store.append(`lead-${a}`, [leadReceived({ leadId: a })], { expectedVersion: 'no_stream', trx });
      aAppended();
      await aHolds;
    });
    await aHasAppended;

    // B appends and commits while A is open.
    await new EventStore(other.db).append(`lead-${b}`, [leadReceived({ leadId: b })], { expectedVersion: 'no_stream' });

    // Both consumers poll now.
    let checkpoint: Checkpoint = START;
    const seen: StoredEvent[] = [];
    const poll = async () => {
      const batch = await readAllBatch(other.db, checkpoint, 100);
      seen.push(...batch);
      if (batch.length) checkpoint = checkpointOf(batch[batch.length - 1]!);
    };
    await poll();
    const naiveSeen = await naiveRead(other.db, '0');
    const naiveCheckpoint = naiveSeen.at(-1)!.global_position;

    // B is committed, but the gap-safe consumer holds it back behind the still-open A.
    expect(seen).toHaveLength(0);
    expect(naiveSeen.map((e) => e.stream_id)).toEqual([`lead-${b}`]);

    releaseA();
    await txA;
    // Transactions of other test files on this server hold the horizon back too: poll until
    // both are visible (and then once more, to show nothing comes twice).
    const deadline = Date.now() + 15_000;
    while (seen.length < 2 && Date.now() < deadline) {
      await poll();
      if (seen.length < 2) await new Promise((r) => setTimeout(r, 20));
    }
    await poll();
    const naiveAfter = await naiveRead(other.db, naiveCheckpoint);

    expect(seen.map((e) => e.streamId)).toEqual([`lead-${a}`, `lead-${b}`]);
    expect(new Set(seen.map((e) => e.globalPosition)).size).toBe(2);
    // The naive consumer moved past A's position when it read B: A's event is lost to it.
    expect(naiveAfter).toEqual([]);
    const allStreams = [...naiveSeen, ...naiveAfter].map((e) => e.stream_id);
    expect(allStreams).not.toContain(`lead-${a}`);
    await other.close();
  });
});
