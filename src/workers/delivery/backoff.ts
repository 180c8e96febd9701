/**
 * The delay before attempt `attempt + 1`: exponential from the integration's base delay,
 * with ±50 % jitter so retries of many leads do not arrive at a recovering CRM together,
 * never sooner than the CRM's Retry-After, and at most an hour.
 */
export function retryDelayMs(attempt: number, baseDelayMs: number, retryAfterMs?: number, random = Math.random): number {
  const exponential = baseDelayMs * 2 ** Math.max(0, attempt - 1);
  const jittered = exponential * (0.5 + random());
  return Math.round(Math.min(Math.max(jittered, retryAfterMs ?? 0), 3_600_000));
}
