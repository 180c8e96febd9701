import type { IntegrationDefinition } from '../events/types/configuration.js';

export type CrmOutcome =
  | { kind: 'delivered'; autoLoginUrl?: string; externalId?: string }
  | { kind: 'rejected'; code: 'crm.rejected' | 'crm.bad_response'; error: string }
  | { kind: 'transient'; code: 'crm.unavailable' | 'crm.timeout'; error: string; retryAfterMs?: number; outcomeUnknown: boolean };

export type CrmAnswer =
  | { kind: 'response'; status: number; body: string; retryAfter?: string }
  | { kind: 'timeout' }
  | { kind: 'network'; error: string }
  | { kind: 'too_large' };

/** Reads a dot path (`data.login_url`, `items.0.id`) out of parsed JSON. */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseJson(body: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

/**
 * The contract's classification of a CRM answer (API.md, "Integration"): 2xx passing the
 * success check delivers; a 2xx failing it, or a 4xx other than 408/429, is a rejection
 * (never retried); 408, 429, 5xx, timeouts and network errors are transient (retried).
 */
export function classify(definition: IntegrationDefinition, answer: CrmAnswer): CrmOutcome {
  const mapping = definition.response;
  switch (answer.kind) {
    case 'timeout':
      return { kind: 'transient', code: 'crm.timeout', error: `CRM did not answer within ${definition.timeoutMs} ms`, outcomeUnknown: true };
    case 'network':
      return { kind: 'transient', code: 'crm.unavailable', error: `CRM unreachable: ${answer.error}`, outcomeUnknown: false };
    case 'too_large':
      return { kind: 'rejected', code: 'crm.bad_response', error: 'CRM response exceeded the size limit' };
  }
  const { status, body } = answer;
  const parsed = parseJson(body);
  const errorText = () => (parsed.ok && mapping.errorPath ? text(readPath(parsed.value, mapping.errorPath)) : undefined);

  if (status === 408 || status === 429 || status >= 500) {
    return {
      kind: 'transient',
      code: 'crm.unavailable',
      error: errorText() ?? `CRM answered HTTP ${status}`,
      retryAfterMs: retryAfterMs(answer.retryAfter),
      outcomeUnknown: false,
    };
  }
  if (status < 200 || status >= 300) {
    return { kind: 'rejected', code: 'crm.rejected', error: errorText() ?? `CRM answered HTTP ${status}` };
  }
  if (!mapping.successPath) {
    const value = parsed.ok ? parsed.value : undefined;
    return {
      kind: 'delivered',
      autoLoginUrl: mapping.autoLoginUrlPath ? text(readPath(value, mapping.autoLoginUrlPath)) : undefined,
      externalId: mapping.externalIdPath ? text(readPath(value, mapping.externalIdPath)) : undefined,
    };
  }
  if (!parsed.ok) return { kind: 'rejected', code: 'crm.bad_response', error: 'CRM answered 2xx with a body that is not JSON' };
  const actual = readPath(parsed.value, mapping.successPath);
  const success = mapping.successEquals === undefined ? Boolean(actual) : actual === mapping.successEquals || String(actual) === String(mapping.successEquals);
  if (!success) return { kind: 'rejected', code: 'crm.rejected', error: errorText() ?? 'CRM did not accept the lead' };
  return {
    kind: 'delivered',
    autoLoginUrl: mapping.autoLoginUrlPath ? text(readPath(parsed.value, mapping.autoLoginUrlPath)) : undefined,
    externalId: mapping.externalIdPath ? text(readPath(parsed.value, mapping.externalIdPath)) : undefined,
  };
}
