import { MASK } from '../../crm/integrationInput.js';
import type { RenderedRequest } from '../../crm/render.js';
import type { CrmAnswer } from '../../crm/classify.js';
import type { HttpExchange } from '../../events/types/lead.js';

const MAX_BODY = 4096;

function truncate(text: string): string {
  return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}… [${text.length - MAX_BODY} more characters]` : text;
}

/**
 * The attempt as the timeline keeps it. `masked` is the same request rendered with the
 * password replaced; the integration's header values are masked here. Bodies are truncated.
 */
export function recordedExchange(masked: RenderedRequest, secretHeaders: readonly string[], answer: CrmAnswer & { durationMs: number }): HttpExchange {
  const secret = new Set(secretHeaders.map((h) => h.toLowerCase()));
  const headers = Object.fromEntries(Object.entries(masked.headers).map(([k, v]) => [k, secret.has(k.toLowerCase()) ? MASK : v]));
  return {
    request: { method: masked.method, url: masked.url, headers, body: truncate(masked.body ?? '') },
    response: answer.kind === 'response' ? { status: answer.status, body: truncate(answer.body) } : undefined,
    durationMs: answer.durationMs,
  };
}
