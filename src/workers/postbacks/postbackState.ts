import type { StoredEvent } from '../../events/events.js';

export interface PostbackState {
  /** The current series: 0, then one more per resend. */
  series: number;
  /** Attempts made over every series: the next attempt's number is one more. */
  attempts: number;
  /** Attempts made in the current series: where it stands in the retry schedule. */
  seriesAttempts: number;
  /** The current series delivered or gave up. */
  final: boolean;
}

/** Folds a delivery's stream into what the worker needs to decide its next step. */
export function postbackState(events: StoredEvent[]): PostbackState {
  const state: PostbackState = { series: 0, attempts: 0, seriesAttempts: 0, final: false };
  for (const e of events) {
    switch (e.type) {
      case 'PostbackResendRequested':
        state.series = e.data.series;
        state.seriesAttempts = 0;
        state.final = false;
        break;
      case 'PostbackAttempted':
        state.attempts = Math.max(state.attempts, e.data.attempt);
        if (e.data.series === state.series) state.seriesAttempts++;
        break;
      case 'PostbackDelivered':
      case 'PostbackFailed':
        if (e.data.series === state.series) state.final = true;
        break;
    }
  }
  return state;
}
