import { errorOf, LeadgateError, retryAfter, type Answer } from './http.js';
import type { CreateLeadResult } from './types.js';

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * POST /api/v1/leads's answer as a CreateLeadResult. The status code and the body's `status`
 * must agree (API.md, "Answers"); 500, 503 and anything off-contract throw instead.
 */
export function leadResult(answer: Answer): CreateLeadResult {
  const { status: httpStatus, body } = answer;
  if (!body) throw new LeadgateError(`HTTP ${httpStatus} without a JSON body`, { code: 'sdk.bad_response', status: httpStatus, retryAfterSeconds: retryAfter(answer.headers) });
  const leadId = text(body.leadId);
  const error = text(body.error) ?? `HTTP ${httpStatus}`;
  if (leadId) {
    if (httpStatus === 200 && body.status === 'delivered') {
      const autoLoginUrl = text(body.autoLoginUrl);
      return { status: 'delivered', success: true, httpStatus, leadId, ...(autoLoginUrl && { autoLoginUrl }) };
    }
    if (httpStatus === 202 && body.status === 'pending') {
      return { status: 'pending', success: true, httpStatus, leadId, statusUrl: text(body.statusUrl) ?? `/api/v1/leads/${leadId}` };
    }
    if (httpStatus === 422 && body.status === 'rejected') {
      const reason = body.reason === 'crm.bad_response' || body.reason === 'crm.rejected' ? body.reason : undefined;
      return { status: 'rejected', success: false, httpStatus, leadId, error, code: 'crm.rejected', ...(reason && { reason }) };
    }
    if ((httpStatus === 502 || httpStatus === 504) && body.status === 'failed') {
      return { status: 'failed', success: false, httpStatus, leadId, error, code: httpStatus === 504 ? 'crm.timeout' : 'crm.unavailable' };
    }
  }
  const code = text(body.code);
  if (httpStatus >= 400 && httpStatus < 500 && code) {
    const retryAfterSeconds = retryAfter(answer.headers);
    return { status: 'refused', success: false, httpStatus, error, code, ...(leadId && { leadId }), ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) };
  }
  throw errorOf(answer);
}
