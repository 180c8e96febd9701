import type { IntegrationDefinition } from '../events/types/configuration.js';
import { PLACEHOLDER } from './placeholders.js';

export interface RenderedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function lookup(values: Record<string, string | undefined>, params: Record<string, string>, name: string): string {
  if (name.startsWith('params.')) return params[name.slice('params.'.length)] ?? '';
  return values[name] ?? '';
}

function substitute(text: string, resolve: (name: string) => string, encode = false): string {
  return text.replace(PLACEHOLDER, (_, name: string) => (encode ? encodeURIComponent(resolve(name)) : resolve(name)));
}

/** Replaces placeholders in every string of a JSON template, keeping its structure. */
function fill(value: unknown, resolve: (name: string) => string): unknown {
  if (typeof value === 'string') return substitute(value, resolve);
  if (Array.isArray(value)) return value.map((v) => fill(v, resolve));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, resolve)]));
  return value;
}

/**
 * Renders an integration's request for one lead: placeholders in the URL are URL-encoded,
 * in headers and the body inserted as text; a missing value becomes empty. A GET carries the
 * body fields as query parameters.
 */
export function renderRequest(
  definition: IntegrationDefinition,
  headerValues: Record<string, string>,
  values: Record<string, string | undefined>,
  params: Record<string, string> = {},
): RenderedRequest {
  const resolve = (name: string) => lookup(values, params, name);
  const { request } = definition;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(headerValues)) headers[name] = substitute(value, resolve);
  const filled = fill(request.body, resolve) as Record<string, unknown>;
  let url = substitute(request.url, resolve, true);
  let body: string | undefined;
  const asForm = () => new URLSearchParams(Object.entries(filled).map(([k, v]): [string, string] => [k, v === null || v === undefined ? '' : String(v)])).toString();
  if (request.method === 'GET') {
    const query = asForm();
    if (query) url += (url.includes('?') ? '&' : '?') + query;
  } else if (request.format === 'form') {
    body = asForm();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else {
    body = JSON.stringify(filled);
    headers['content-type'] ??= 'application/json';
  }
  headers.accept ??= 'application/json';
  return { method: request.method, url, headers, body };
}
