import type { StoredEvent } from './events.js';

interface Entry {
  events: StoredEvent[];
  at: number;
}

/**
 * Streams this process has just started and committed (a batch of new leads), kept a short
 * while so that a worker in the same process can begin from them instead of reading them
 * back: one round trip less a lead when intake and delivery share a process.
 *
 * What it hands out may be stale (another process may have appended since), so a taker must
 * append at the version it was handed, and read the stream after all if that append collides.
 * Each stream is handed out once; the oldest are dropped beyond `capacity` (a lead no worker
 * here picks up, say, because another process's worker took its job) or after `ttlMs`.
 */
export class FreshStreams {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly capacity = 10_000,
    private readonly ttlMs = 30_000,
  ) {}

  /** Keeps committed events, by stream, in their order. */
  remember(events: readonly StoredEvent[]): void {
    const now = Date.now();
    for (const e of events) {
      const entry = this.entries.get(e.streamId);
      if (entry) entry.events.push(e);
      else this.entries.set(e.streamId, { events: [e], at: now });
    }
    // A Map iterates in insertion order: the first keys are the oldest.
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(key);
    }
  }

  /** The stream's events as this process committed them, once; undefined if unknown, already taken or too old. */
  take(streamId: string): StoredEvent[] | undefined {
    const entry = this.entries.get(streamId);
    if (!entry) return undefined;
    this.entries.delete(streamId);
    return Date.now() - entry.at <= this.ttlMs ? entry.events : undefined;
  }

  get size(): number {
    return this.entries.size;
  }
}
