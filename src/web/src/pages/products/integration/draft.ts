import { ApiError } from '../../../api/client';
import type { DedupeField, HttpMethod, Integration, IntegrationInput, ResponseMapping } from '../../../api/types';

/** How the API shows a stored header value; sent back unchanged, it keeps the value. */
export const MASK = '••••';

export interface Row {
  key: string;
  value: string;
}

/** The integration form's state: strings as typed, turned into the API's shape on save. */
export interface Draft {
  name: string;
  type: 'leads' | 'registration';
  url: string;
  method: HttpMethod;
  format: 'json' | 'form';
  headers: Row[];
  bodyMode: 'fields' | 'json';
  bodyFields: Row[];
  bodyJson: string;
  successPath: string;
  successEquals: string;
  successEqualsType: 'text' | 'number' | 'boolean';
  autoLoginUrlPath: string;
  externalIdPath: string;
  errorPath: string;
  timeoutMs: string;
  attempts: string;
  baseDelayMs: string;
  dedupeFields: DedupeField[];
  windowDays: string;
}

const STARTER_BODY: Row[] = [
  { key: 'first_name', value: '{{firstName}}' },
  { key: 'last_name', value: '{{lastName}}' },
  { key: 'email', value: '{{email}}' },
  { key: 'phone', value: '{{phone}}' },
  { key: 'country', value: '{{country}}' },
];

export function newDraft(): Draft {
  return {
    name: '',
    type: 'leads',
    url: '',
    method: 'POST',
    format: 'json',
    headers: [],
    bodyMode: 'fields',
    bodyFields: STARTER_BODY,
    bodyJson: JSON.stringify(Object.fromEntries(STARTER_BODY.map((r) => [r.key, r.value])), null, 2),
    successPath: '',
    successEquals: '',
    successEqualsType: 'text',
    autoLoginUrlPath: '',
    externalIdPath: '',
    errorPath: '',
    timeoutMs: '10000',
    attempts: '5',
    baseDelayMs: '1000',
    dedupeFields: ['email'],
    windowDays: '30',
  };
}

export function draftOf(i: Integration): Draft {
  const body = i.request.body;
  const flat = Object.values(body).every((v) => typeof v === 'string');
  const equals = i.response.successEquals;
  return {
    name: i.name,
    type: i.type,
    url: i.request.url,
    method: i.request.method,
    format: i.request.format,
    headers: Object.entries(i.request.headers).map(([key, value]) => ({ key, value })),
    bodyMode: flat ? 'fields' : 'json',
    bodyFields: flat ? Object.entries(body).map(([key, value]) => ({ key, value: String(value) })) : [],
    bodyJson: JSON.stringify(body, null, 2),
    successPath: i.response.successPath ?? '',
    successEquals: equals === undefined ? '' : String(equals),
    successEqualsType: typeof equals === 'number' ? 'number' : typeof equals === 'boolean' ? 'boolean' : 'text',
    autoLoginUrlPath: i.response.autoLoginUrlPath ?? '',
    externalIdPath: i.response.externalIdPath ?? '',
    errorPath: i.response.errorPath ?? '',
    timeoutMs: String(i.timeoutMs),
    attempts: String(i.retry.attempts),
    baseDelayMs: String(i.retry.baseDelayMs),
    dedupeFields: i.dedupe.fields,
    windowDays: String(i.dedupe.windowDays),
  };
}

const invalid = (field: string, message: string) => new ApiError(400, `validation.${field}`, `${field}: ${message}`);

function integer(value: string, field: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw invalid(field, 'must be a whole number');
  return n;
}

export function bodyOf(draft: Draft): Record<string, unknown> {
  if (draft.bodyMode === 'fields') {
    return Object.fromEntries(draft.bodyFields.filter((r) => r.key.trim() !== '').map((r) => [r.key.trim(), r.value]));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(draft.bodyJson || '{}');
  } catch (err) {
    throw invalid('request.body', `not valid JSON (${err instanceof Error ? err.message : 'parse error'})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('request.body', 'must be a JSON object');
  return parsed as Record<string, unknown>;
}

function successEquals(draft: Draft): ResponseMapping['successEquals'] {
  const v = draft.successEquals.trim();
  if (v === '') return undefined;
  if (draft.successEqualsType === 'number') {
    const n = Number(v);
    if (Number.isNaN(n)) throw invalid('response.successEquals', 'must be a number');
    return n;
  }
  if (draft.successEqualsType === 'boolean') return v === 'true';
  return v;
}

/** The API body for a draft; a value the form can already tell is wrong throws the API's kind of error. */
export function inputOf(draft: Draft): IntegrationInput {
  const optional = (s: string) => (s.trim() === '' ? undefined : s.trim());
  return {
    type: draft.type,
    name: draft.name,
    request: {
      url: draft.url,
      method: draft.method,
      format: draft.format,
      headers: Object.fromEntries(draft.headers.filter((h) => h.key.trim() !== '').map((h) => [h.key.trim(), h.value])),
      body: bodyOf(draft),
    },
    response: {
      successPath: optional(draft.successPath),
      successEquals: successEquals(draft),
      autoLoginUrlPath: optional(draft.autoLoginUrlPath),
      externalIdPath: optional(draft.externalIdPath),
      errorPath: optional(draft.errorPath),
    },
    timeoutMs: integer(draft.timeoutMs, 'timeoutMs'),
    retry: { attempts: integer(draft.attempts, 'retry.attempts'), baseDelayMs: integer(draft.baseDelayMs, 'retry.baseDelayMs') },
    dedupe: { fields: draft.dedupeFields.length > 0 ? draft.dedupeFields : ['email'], windowDays: integer(draft.windowDays, 'dedupe.windowDays') },
  };
}

/** Switching the body editor's mode carries the body across; a JSON body with nested values stays in JSON. */
export function switchBodyMode(draft: Draft, mode: Draft['bodyMode']): Draft {
  if (mode === draft.bodyMode) return draft;
  if (mode === 'json') return { ...draft, bodyMode: 'json', bodyJson: JSON.stringify(bodyOf(draft), null, 2) };
  const body = bodyOf(draft);
  if (!Object.values(body).every((v) => typeof v === 'string')) {
    throw invalid('request.body', 'has nested or non-text values: keep editing it as JSON');
  }
  return { ...draft, bodyMode: 'fields', bodyFields: Object.entries(body).map(([key, value]) => ({ key, value: String(value) })) };
}
