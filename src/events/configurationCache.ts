import { EVENTS_CHANNEL, noticeStreamId } from './appendToStream.js';
import type { Notifier } from './notifier.js';

interface Entry {
  value: Promise<unknown>;
  at: number;
}

/** Configuration streams: a change to any of them can alter what a cached read returns. */
const CONFIG_STREAM = /^(affiliate|integration|product)-/;

/**
 * Per-process cache of reads derived from configuration (keys, whitelists, campaigns,
 * integrations). Any configuration append anywhere clears it through the shared NOTIFY
 * channel, and entries live at most `ttlMs` besides, so a change reaches every process
 * within a second even if a notification is missed.
 */
export class ConfigurationCache {
  private readonly entries = new Map<string, Entry>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly ttlMs = 1000) {}

  async listen(notifier: Notifier): Promise<void> {
    this.unsubscribe = await notifier.subscribe(EVENTS_CHANNEL, (payload) => {
      if (CONFIG_STREAM.test(noticeStreamId(payload))) this.entries.clear();
    });
  }

  close(): void {
    this.unsubscribe?.();
    this.entries.clear();
  }

  /** The cached value of `key`, or `load()`'s (concurrent callers share one load; a failed load is not kept). */
  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value as Promise<T>;
    const value = load();
    this.entries.set(key, { value, at: now });
    value.catch(() => this.entries.delete(key));
    return value;
  }
}
