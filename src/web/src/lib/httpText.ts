import { pretty } from './format';

/** Recorded HTTP exchanges (test results, delivery attempts) as the text of the message itself. */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function headerLines(headers: unknown): string {
  if (!isObj(headers)) return '';
  return Object.entries(headers)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join('\n');
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null || body === '') return '';
  if (typeof body === 'string') {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      return body;
    }
  }
  return pretty(body);
}

function join(first: string, headers: unknown, body: unknown): string {
  const h = headerLines(headers);
  const b = bodyText(body);
  return [first, h, b ? `\n${b}` : ''].filter(Boolean).join('\n');
}

/** `POST https://… ` + headers + body, when the value looks like a request; else its JSON. */
export function requestText(value: unknown): string {
  if (isObj(value) && typeof value.url === 'string') return join(`${typeof value.method === 'string' ? value.method : 'POST'} ${value.url}`, value.headers, value.body);
  return pretty(value);
}

export function statusOf(value: unknown): number | undefined {
  if (!isObj(value)) return undefined;
  const status = value.status ?? value.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function responseText(value: unknown): string {
  const status = statusOf(value);
  if (isObj(value) && status !== undefined) return join(`HTTP ${status}`, value.headers, value.body);
  return pretty(value);
}

/** The human message of an answer body: `error`, else `message`. */
export function messageIn(value: unknown): string | undefined {
  const body = isObj(value) && 'body' in value ? value.body : value;
  const parsed = typeof body === 'string' ? safeParse(body) : body;
  if (!isObj(parsed)) return undefined;
  const m = parsed.error ?? parsed.message;
  return typeof m === 'string' ? m : undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
