/**
 * Svix's schedule: after the first attempt (immediate), retries 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h and 10 h later; eight attempts over about a day and a half.
 */
export const POSTBACK_RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

export const POSTBACK_MAX_ATTEMPTS = POSTBACK_RETRY_DELAYS_MS.length + 1;

/**
 * The delay before the next attempt of a series after `attempt` attempts, or undefined when
 * the series is spent. ±20 % jitter spreads a recovering receiver's backlog; `scale`
 * (POSTBACK_RETRY_SCALE) shrinks the whole schedule for tests.
 */
export function postbackRetryDelayMs(attempt: number, scale = 1, random = Math.random): number | undefined {
  const base = POSTBACK_RETRY_DELAYS_MS[attempt - 1];
  if (base === undefined) return undefined;
  return Math.round(base * scale * (0.8 + 0.4 * random()));
}
