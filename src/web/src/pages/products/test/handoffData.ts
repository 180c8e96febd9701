/**
 * What to give the affiliate from the "View as JSON" answer (`{method, url, headers, body}`,
 * the key in the Authorization header): where to post, with which headers, and the body.
 * A bare body is accepted too; one that carries `apiToken` goes to the Track360-compatible
 * path, the only one that reads the key from the body.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const LEADS_PATH = '/api/v1/leads';
export const TRACK360_PATH = '/webapi/api/affiliatemanagement/CreateAffiliateAPI';

export interface Handoff {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Obj;
}

function stringValues(value: unknown): Record<string, string> {
  if (!isObj(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export function handoffOf(answer: unknown, origin: string): Handoff {
  if (isObj(answer) && isObj(answer.body)) {
    const url = typeof answer.url === 'string' ? answer.url : LEADS_PATH;
    return {
      method: typeof answer.method === 'string' ? answer.method : 'POST',
      url: new URL(url, origin).toString(),
      headers: stringValues(answer.headers),
      body: answer.body,
    };
  }
  const body = isObj(answer) ? answer : {};
  const inBody = typeof body.apiToken === 'string';
  return {
    method: 'POST',
    url: new URL(inBody ? TRACK360_PATH : LEADS_PATH, origin).toString(),
    headers: inBody ? { 'Content-Type': 'application/json' } : { 'Content-Type': 'application/json', Authorization: 'Bearer <API key>' },
    body,
  };
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function curlOf(handoff: Handoff): string {
  return [
    `curl -X ${handoff.method} ${shellQuote(handoff.url)}`,
    ...Object.entries(handoff.headers).map(([k, v]) => `  -H ${shellQuote(`${k}: ${v}`)}`),
    `  -d ${shellQuote(JSON.stringify(handoff.body))}`,
  ].join(' \\\n');
}
