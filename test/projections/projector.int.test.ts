import { describe, expect, it } from 'vitest';
import { EventStore } from '../../src/events/eventStore.js';
import { Notifier } from '../../src/events/notifier.js';
import type { AsyncProjection } from '../../src/projections/asyncProjection.js';
import { Projector } from '../../src/projections/projector.js';
import { cleanup } from '../support/cleanup.js';
import { leadReceived } from '../support/events.js';
import { DATABASE_KINDS, openTestStorage } from '../support/storages.js';

describe.each(DATABASE_KINDS)('the projector on %s', (kind) => {
  it('applies a steady trickle of appends in batches, a pass at most every coalesceMs, each event once', async () => {
    const storage = await openTestStorage(kind, 'projector_coalesce');
    const store = new EventStore(storage.db);
    const notifier = new Notifier(() => storage.openListenConnection());
    cleanup(() => notifier.close());
    const passes: number[] = [];
    const seen = new Set<string>();
    const counting: AsyncProjection = {
      name: 'coalesce_probe',
      handles: ['LeadReceived'],
      tables: [],
      async apply(_trx, events) {
        passes.push(events.length);
        for (const e of events) seen.add(e.streamId);
      },
    };
    const projector = new Projector({ db: storage.db, projections: [counting], notifier, coalesceMs: 200, pollMs: 1000 });
    await projector.start();
    cleanup(() => projector.stop());

    // One append every ~10 ms for a second and a half, each notifying on commit.
    const streams: string[] = [];
    const started = Date.now();
    while (Date.now() - started < 1500) {
      const e = leadReceived();
      const streamId = `lead-${(e.data as { leadId: string }).leadId}`;
      await store.append(streamId, [e], { expectedVersion: 'no_stream' });
      streams.push(streamId);
      await new Promise((r) => setTimeout(r, 10));
    }
    const elapsedMs = Date.now() - started;
    await expect.poll(() => seen.size, { timeout: 10_000 }).toBe(streams.length);

    expect(passes.reduce((a, b) => a + b, 0)).toBe(streams.length);
    // A pass for the first append, then at most one per 200 ms while they keep coming (and one to finish).
    expect(passes.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / 200) + 2);
    expect(streams.length / passes.length).toBeGreaterThan(5);
  });
});
