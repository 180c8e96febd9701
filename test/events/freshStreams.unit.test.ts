import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredEvent } from '../../src/events/events.js';
import { FreshStreams } from '../../src/events/freshStreams.js';

let position = 0;
function received(streamId: string): StoredEvent {
  position++;
  return {
    streamId,
    streamVersion: 1,
    globalPosition: String(position),
    transactionId: '1',
    createdAt: new Date(),
    type: 'LeadReceived',
    data: { leadId: streamId.slice(5) },
    metadata: {},
  } as unknown as StoredEvent;
}

describe('FreshStreams', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands a remembered stream out once, its events in order', () => {
    const fresh = new FreshStreams();
    const first = received('lead-a');
    const second = { ...received('lead-a'), streamVersion: 2 };
    fresh.remember([first, received('lead-b'), second]);
    expect(fresh.take('lead-a')).toEqual([first, second]);
    expect(fresh.take('lead-a')).toBeUndefined();
    expect(fresh.take('lead-unknown')).toBeUndefined();
    expect(fresh.size).toBe(1);
  });

  it('drops the oldest streams beyond its capacity', () => {
    const fresh = new FreshStreams(3);
    fresh.remember(['lead-1', 'lead-2', 'lead-3', 'lead-4', 'lead-5'].map(received));
    expect(fresh.size).toBe(3);
    expect(fresh.take('lead-1')).toBeUndefined();
    expect(fresh.take('lead-2')).toBeUndefined();
    expect(fresh.take('lead-5')?.[0]?.streamId).toBe('lead-5');
  });

  it('does not hand out a stream remembered longer ago than its time to live', () => {
    vi.useFakeTimers({ now: new Date('2026-12-02T10:00:00Z') });
    const fresh = new FreshStreams(100, 30_000);
    fresh.remember([received('lead-old')]);
    vi.setSystemTime(new Date('2026-12-02T10:00:20Z'));
    fresh.remember([received('lead-new')]);
    vi.setSystemTime(new Date('2026-12-02T10:00:31Z'));
    expect(fresh.take('lead-old')).toBeUndefined();
    expect(fresh.take('lead-new')).toHaveLength(1);
    expect(fresh.size).toBe(0);
  });
});
