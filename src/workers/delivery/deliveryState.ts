import type { EventData, StoredEvent } from '../../events/events.js';

export interface DeliveryState {
  received?: EventData<'LeadReceived'>;
  /** Attempts started so far. */
  attempts: number;
  /** An attempt started with no outcome recorded yet (live, or its worker died). */
  openAttempt?: { attempt: number; startedAt: Date };
  final: boolean;
  lastTransient?: { code: string; error: string };
  version: number;
}

/** Folds a lead's stream into what delivery needs to decide its next step. */
export function deliveryState(events: StoredEvent[]): DeliveryState {
  const state: DeliveryState = { attempts: 0, final: false, version: 0 };
  for (const e of events) {
    state.version = e.streamVersion;
    switch (e.type) {
      case 'LeadReceived':
        state.received = e.data;
        break;
      case 'DeliveryAttemptStarted':
        state.attempts = e.data.attempt;
        state.openAttempt = { attempt: e.data.attempt, startedAt: e.createdAt };
        break;
      case 'DeliveryAttemptFailed':
        state.openAttempt = undefined;
        state.lastTransient = { code: e.data.code, error: e.data.error };
        break;
      case 'LeadDelivered':
      case 'LeadRejected':
      case 'LeadDeliveryFailed':
        state.openAttempt = undefined;
        state.final = true;
        break;
    }
  }
  return state;
}
