import type { ErrorCode } from './types.js';

/** Codes of failures that never reached a contract answer. */
export type TransportCode = 'sdk.network' | 'sdk.timeout' | 'sdk.bad_response';

/**
 * What a call throws: a contract error it does not return as a value (`status` and `code`
 * from the answer), or a transport failure (`status` undefined, `code` `sdk.*`). After a
 * throw from createLead the lead may or may not be stored: retry with the same
 * Idempotency-Key to get the first answer rather than a second lead.
 */
export class LeadgateError extends Error {
  override readonly name = 'LeadgateError';
  readonly code: ErrorCode | TransportCode;
  /** The HTTP status, when there was an answer. */
  readonly status?: number;
  /** From `Retry-After` on 429 and 503. */
  readonly retryAfterSeconds?: number;
  /** The parsed answer, when it was JSON. */
  readonly body?: unknown;

  constructor(
    message: string,
    details: { code: ErrorCode | TransportCode; status?: number; retryAfterSeconds?: number; body?: unknown; cause?: unknown },
  ) {
    super(message, { cause: details.cause });
    this.code = details.code;
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.body = details.body;
  }
}

export interface ClientOptions {
  /** Where leadgate answers, e.g. https://leads.example.com (a path prefix is kept). */
  baseUrl: string;
  /** Per request; default 30 s, above the server's default 10 s sync window. */
  timeoutMs?: number;
  /** Another fetch (a proxy agent, a test double); default the global fetch. */
  fetch?: typeof fetch;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** The JSON body as an object; undefined for an empty or non-JSON body. */
  body: Record<string, unknown> | undefined;
}

export type Query = Record<string, string | number | boolean | Date | undefined>;

/** Query parameters as the API reads them: absent when undefined, Dates as ISO timestamps. */
export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.set(name, value instanceof Date ? value.toISOString() : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function retryAfter(headers: Headers): number | undefined {
  const seconds = Number(headers.get('retry-after') ?? NaN);
  return Number.isFinite(seconds) ? seconds : undefined;
}

/** The contract's error body as a LeadgateError; a body without one names the HTTP status. */
export function errorOf(answer: Answer): LeadgateError {
  const error = typeof answer.body?.error === 'string' ? answer.body.error : `HTTP ${answer.status}`;
  // Without the contract's `code` the answer came from something else (a proxy's error page, say).
  const code = typeof answer.body?.code === 'string' ? answer.body.code : 'sdk.bad_response';
  return new LeadgateError(error, { code, status: answer.status, retryAfterSeconds: retryAfter(answer.headers), body: answer.body });
}

/** One JSON request. Answers of any status are returned; only transport failures throw. */
export async function send(
  options: ClientOptions,
  method: 'GET' | 'POST',
  path: string,
  init: { headers: Record<string, string>; json?: unknown },
): Promise<Answer> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}${path}`;
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  let text: string;
  try {
    res = await (options.fetch ?? fetch)(url, {
      method,
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      // The API never redirects; following one could send the key elsewhere.
      redirect: 'error',
    });
    text = await res.text();
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    throw new LeadgateError(timedOut ? `${method} ${path} timed out` : `${method} ${path} failed: ${String(err)}`, { code: timedOut ? 'sdk.timeout' : 'sdk.network', cause: err });
  }
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page, say): the caller decides what that means.
  }
  return { status: res.status, headers: res.headers, body };
}

/** A successful answer's body, or the thrown LeadgateError for any other. */
export function expectOk(answer: Answer, statuses: number[] = [200]): Record<string, unknown> {
  if (statuses.includes(answer.status) && answer.body) return answer.body;
  if (statuses.includes(answer.status)) throw new LeadgateError(`HTTP ${answer.status} without a JSON body`, { code: 'sdk.bad_response', status: answer.status });
  throw errorOf(answer);
}
