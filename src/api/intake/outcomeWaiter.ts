import type { Kysely, Selectable } from 'kysely';
import { GroupCommit } from '../../db/groupCommit.js';
import type { Database, LeadsTable } from '../../db/schema.js';
import { LEAD_EVENTS_CHANNEL, noticeStreamId, parseEventNotice } from '../../events/appendToStream.js';
import type { Notifier } from '../../events/notifier.js';
import { LEAD_STREAM_PREFIX } from '../../events/types/lead.js';

export type LeadRow = Selectable<LeadsTable>;
/** What an answer needs of a lead: its row, or the outcome as its notification told it. */
export type LeadOutcome = Pick<LeadRow, 'status' | 'auto_login_url' | 'code' | 'error'>;

const FINAL = new Set(['delivered', 'rejected', 'failed']);
const OUTCOMES: Record<string, LeadRow['status']> = { LeadDelivered: 'delivered', LeadRejected: 'rejected', LeadDeliveryFailed: 'failed' };
const POLL_MS = 1000;

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/**
 * The outcome as the lead's row will hold it (the leads projection's mapping), from the event's
 * data carried by the notification; undefined when the notification came without it.
 */
function outcomeOf(type: string, data: Record<string, unknown> | undefined): LeadOutcome | undefined {
  const status = OUTCOMES[type];
  if (!status || !data) return undefined;
  return status === 'delivered'
    ? { status, auto_login_url: text(data.autoLoginUrl), code: null, error: null }
    : { status, auto_login_url: null, code: text(data.code), error: text(data.error) };
}

/**
 * Lets intake requests wait for their lead's outcome without a connection, a listener or a
 * queue subscription each: the process's one LISTEN connection wakes the waiters of a lead
 * when its outcome is appended; a slow poll covers a missed notification.
 */
export class OutcomeWaiter {
  private readonly waiters = new Map<string, Set<(outcome?: LeadOutcome) => void>>();
  private unsubscribe: (() => void) | undefined;
  private closed = false;
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
    this.unsubscribe = await notifier.subscribe(LEAD_EVENTS_CHANNEL, (payload) => {
      // Only an outcome ends a wait (any other lead event arrives as LEAD_WAKE). Every API
      // process hears of every outcome, and waits for few of them: the rest is read only for
      // a lead waited for here.
      if (!payload.startsWith(LEAD_STREAM_PREFIX)) return;
      const set = this.waiters.get(noticeStreamId(payload).slice(LEAD_STREAM_PREFIX.length));
      if (!set) return;
      const { type, data } = parseEventNotice(payload);
      if (!Object.hasOwn(OUTCOMES, type)) return;
      const outcome = outcomeOf(type, data);
      for (const wake of set) wake(outcome);
    });
  }

  /** Ends every wait: each answers with what it has (pending), and reads nothing more from a database about to close. */
  close(): void {
    this.closed = true;
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
   * missed (only promises resolve in between); then the poll finds it, a second later. An
   * outcome whose notification carries it is answered without reading the lead.
   */
  async wait(leadId: string, timeoutMs: number, options: { justAccepted?: boolean } = {}): Promise<LeadOutcome | undefined> {
    const deadline = Date.now() + timeoutMs;
    let wake: (outcome?: LeadOutcome) => void = () => undefined;
    const set = this.waiters.get(leadId) ?? new Set();
    this.waiters.set(leadId, set);
    try {
      for (let first = true; ; first = false) {
        const signalled = new Promise<LeadOutcome | undefined>((resolve) => {
          wake = resolve;
          set.add(resolve);
        });
        if (!(first && options.justAccepted) || deadline <= Date.now()) {
          const row = await this.read(leadId);
          if (!row || FINAL.has(row.status) || deadline <= Date.now()) return row;
        }
        let timer: NodeJS.Timeout | undefined;
        const told = await Promise.race([signalled, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), Math.min(deadline - Date.now(), POLL_MS))))]);
        clearTimeout(timer);
        set.delete(wake);
        if (told) return told;
        if (this.closed) return undefined;
      }
    } finally {
      set.delete(wake);
      if (set.size === 0) this.waiters.delete(leadId);
    }
  }
}
