/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the test asserts */
/**
 * A tiny HTTP client for tests that behaves like the console: keeps cookies, and echoes the
 * lg_csrf cookie in X-CSRF-Token on state-changing requests. Or, with a bearer token, like
 * an automation client.
 */
export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export class HttpSession {
  private readonly cookies = new Map<string, string>();
  bearer: string | undefined;
  /** Set false to leave out the CSRF header (to test that it is required). */
  sendCsrf = true;

  constructor(readonly baseUrl: string) {}

  static withToken(baseUrl: string, token: string): HttpSession {
    const s = new HttpSession(baseUrl);
    s.bearer = token;
    return s;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async login(email: string, password: string): Promise<HttpResponse> {
    const res = await this.post('/api/auth/login', { email, password });
    if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${res.text}`);
    return res;
  }

  get<T = any>(path: string, headers: Record<string, string> = {}): Promise<HttpResponse<T>> {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResponse<T>> {
    return this.request<T>('POST', path, body, headers);
  }
  patch<T = any>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResponse<T>> {
    return this.request<T>('PATCH', path, body, headers);
  }
  delete<T = any>(path: string, headers: Record<string, string> = {}): Promise<HttpResponse<T>> {
    return this.request<T>('DELETE', path, undefined, headers);
  }

  async request<T = any>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...extra };
    if (body !== undefined && typeof body !== 'string') headers['content-type'] ??= 'application/json';
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = this.cookies.get('lg_csrf');
    if (csrf && this.sendCsrf && method !== 'GET') headers['x-csrf-token'] ??= csrf;
    if (this.bearer) headers.authorization ??= `Bearer ${this.bearer}`;
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }
}
