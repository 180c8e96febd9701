import type { Kysely, Selectable } from 'kysely';
import { GroupCommit } from '../../db/groupCommit.js';
import type { Database, LeadsTable } from '../../db/schema.js';
import { EVENTS_CHANNEL, parseEventNotice } from '../../events/appendToStream.js';
import type { Notifier } from '../../events/notifier.js';

export type LeadRow = Selectable<LeadsTable>;

const FINAL = new Set(['delivered', 'rejected', 'failed']);
const OUTCOMES = new Set(['LeadDelivered', 'LeadRejected', 'LeadDeliveryFailed']);
const POLL_MS = 1000;

/**
 * Lets intake requests wait for their lead's outcome without a connection, a listener or a
 * queue subscription each: the process's one LISTEN connection wakes the waiters of a lead
 * when its outcome is appended; a slow poll covers a missed notification.
 */
export class OutcomeWaiter {
  private readonly waiters = new Map<string, Set<() => void>>();
  private unsubscribe: (() => void) | undefined;
  /** Every waiting request reads its lead twice (on arrival, on its outcome): one query for all those of a moment. */
  private readonly reads: GroupCommit<string, LeadRow | undefined>;

  constructor(db: Kysely<Database>) {
    this.reads = new GroupCommit(
      async (leadIds) => {
        const rows = await db.selectFrom('leads').selectAll().where('lead_id', 'in', [...new Set(leadIds)]).execute();
        const byId = new Map(rows.map((r) => [r.lead_id, r]));
        return leadIds.map((id) => ({ value: byId.get(id) }));
      },
      { maxBatch: 200, maxInFlight: 2, label: 'lead outcome read' },
    );
  }

  async listen(notifier: Notifier): Promise<void> {
    this.unsubscribe = await notifier.subscribe(EVENTS_CHANNEL, (payload) => {
      // Only an outcome ends a wait: an attempt starting or failing leaves the lead pending.
      const { streamId, type } = parseEventNotice(payload);
      if (!streamId.startsWith('lead-') || !OUTCOMES.has(type)) return;
      const set = this.waiters.get(streamId.slice('lead-'.length));
      if (set) for (const wake of set) wake();
    });
  }

  close(): void {
    this.unsubscribe?.();
    for (const set of this.waiters.values()) for (const wake of set) wake();
  }

  /** Number of requests waiting right now (a gauge for metrics and tests). */
  get waiting(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }

  read(leadId: string): Promise<LeadRow | undefined> {
    return this.reads.submit(leadId);
  }

  /**
   * The lead once final, or its current (pending) row when `timeoutMs` runs out. `justAccepted`:
   * the caller has just stored the lead, so it is pending and the first read is skipped. Its
   * outcome would have to be committed and notified between the enqueue and this call to be
   * missed (only promises resolve in between); then the poll finds it, a second later.
   */
  async wait(leadId: string, timeoutMs: number, options: { justAccepted?: boolean } = {}): Promise<LeadRow | undefined> {
    const deadline = Date.now() + timeoutMs;
    let wake: () => void = () => undefined;
    const set = this.waiters.get(leadId) ?? new Set();
    this.waiters.set(leadId, set);
    try {
      for (let first = true; ; first = false) {
        const signalled = new Promise<void>((resolve) => {
          wake = resolve;
          set.add(resolve);
        });
        if (!(first && options.justAccepted) || deadline <= Date.now()) {
          const row = await this.read(leadId);
          if (!row || FINAL.has(row.status) || deadline <= Date.now()) return row;
        }
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([signalled, new Promise<void>((r) => (timer = setTimeout(r, Math.min(deadline - Date.now(), POLL_MS))))]);
        clearTimeout(timer);
        set.delete(wake);
      }
    } finally {
      set.delete(wake);
      if (set.size === 0) this.waiters.delete(leadId);
    }
  }
}
