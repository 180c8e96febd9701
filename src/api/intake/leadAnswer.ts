import type { LeadOutcome } from './outcomeWaiter.js';

export interface LeadAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** The contract's answer for a lead in its current state (API.md, POST /api/v1/leads "Answers"). */
export function leadAnswer(leadId: string, row: LeadOutcome | undefined): LeadAnswer {
  switch (row?.status) {
    case 'delivered':
      return { status: 200, body: { success: true, leadId, status: 'delivered', autoLoginUrl: row.auto_login_url ?? undefined } };
    case 'rejected':
      return {
        status: 422,
        body: { success: false, leadId, status: 'rejected', error: row.error ?? 'Rejected by the CRM', code: 'crm.rejected', reason: row.code ?? 'crm.rejected' },
      };
    case 'failed': {
      const timeout = row.code === 'crm.timeout';
      return {
        status: timeout ? 504 : 502,
        body: { success: false, leadId, status: 'failed', error: row.error ?? 'Delivery failed', code: timeout ? 'crm.timeout' : 'crm.unavailable' },
      };
    }
    default:
      return { status: 202, body: { success: true, leadId, status: 'pending', statusUrl: `/api/v1/leads/${leadId}` } };
  }
}
