/**
 * The console's one way to the API: same-origin fetch with the session cookie, the lg_csrf
 * cookie echoed in X-CSRF-Token on state-changing requests, and the contract's error body
 * turned into an ApiError. A 401 on a session-bound call tells the app the session is over.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** `validation.request.url` → `request.url`; undefined for other codes. */
  get field(): string | undefined {
    return this.code.startsWith('validation.') ? this.code.slice('validation.'.length) : undefined;
  }
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  /**
   * Calls that may legitimately answer 401 for a live session (the affiliate portal probing
   * key-authenticated endpoints): their 401 is an error, not the end of the session.
   */
  probe?: boolean;
  signal?: AbortSignal;
}

type Listener = () => void;
const sessionEndListeners = new Set<Listener>();

export function onSessionEnded(listener: Listener): () => void {
  sessionEndListeners.add(listener);
  return () => sessionEndListeners.delete(listener);
}

export function csrfToken(): string | undefined {
  const match = /(?:^|;\s*)lg_csrf=([^;]*)/.exec(document.cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

export function withQuery(path: string, query: RequestOptions['query'] = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

async function parse(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function errorOf(status: number, body: unknown): ApiError {
  const b = (body && typeof body === 'object' ? body : {}) as { error?: unknown; code?: unknown };
  const code = typeof b.code === 'string' ? b.code : status === 404 ? 'not_found' : `http.${status}`;
  const message = typeof b.error === 'string' ? b.error : status === 404 ? 'Not found' : `The server answered ${status}`;
  return new ApiError(status, code, message, body);
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const csrf = csrfToken();
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetch(withQuery(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.');
  }
  const body = await parse(res);
  if (res.ok) return body as T;
  const error = errorOf(res.status, body);
  if (res.status === 401 && !options.probe && !path.startsWith('/api/auth/login')) {
    for (const listener of sessionEndListeners) listener();
  }
  throw error;
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body: body ?? {} }),
  patch: <T>(path: string, body: unknown, options?: RequestOptions) => request<T>('PATCH', path, { ...options, body }),
  delete: (path: string, options?: RequestOptions) => request<void>('DELETE', path, options),
};

/** A human sentence for any error a call threw. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.status === 404 && err.code === 'not_found' && err.message === 'Not found' ? 'Not found (404)' : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
