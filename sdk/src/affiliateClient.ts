import { expectOk, queryString, send, type ClientOptions, type Query } from './http.js';
import { leadResult } from './leadResult.js';
import type { CreateLeadResult, LeadInput, LeadsFilters, LeadsPage, LeadsPageQuery, LeadReportRow, LeadStatus, SummaryQuery, SummaryRow } from './types.js';

export interface AffiliateClientOptions extends ClientOptions {
  /** The affiliate's API key (`lg_…`). An employee token (`lge_…`) also reads every affiliate's reports. */
  apiKey: string;
}

/**
 * The affiliate's side of leadgate: send leads, read their status, read the API Reports.
 * Calls come from this process's address, which must be on the affiliate's IP whitelist.
 */
export class AffiliateClient {
  constructor(private readonly options: AffiliateClientOptions) {}

  private get headers(): Record<string, string> {
    return { authorization: `Bearer ${this.options.apiKey}` };
  }

  private async get(path: string, query: Query = {}): Promise<Record<string, unknown>> {
    return expectOk(await send(this.options, 'GET', `${path}${queryString(query)}`, { headers: this.headers }));
  }

  /**
   * POST /api/v1/leads. Every contract answer is returned, refusals included (switch on
   * `status`). With `idempotencyKey`, a retry within 24 h gets the first answer back instead
   * of making a second lead: pass one whenever you may retry after a thrown error.
   */
  async createLead(lead: LeadInput, options: { idempotencyKey?: string } = {}): Promise<CreateLeadResult> {
    const headers = { ...this.headers, ...(options.idempotencyKey && { 'idempotency-key': options.idempotencyKey }) };
    return leadResult(await send(this.options, 'POST', '/api/v1/leads', { headers, json: lead }));
  }

  /** GET /api/v1/leads/{leadId}: status, auto-login URL or error, conversions. Another affiliate's lead is `not_found`. */
  async getLead(leadId: string): Promise<LeadStatus> {
    return (await this.get(`/api/v1/leads/${encodeURIComponent(leadId)}`)) as unknown as LeadStatus;
  }

  /** Polls getLead until the lead leaves `pending` or `timeoutMs` passes; answers the last status read. */
  async waitForLead(leadId: string, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<LeadStatus> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      const lead = await this.getLead(leadId);
      if (lead.status !== 'pending' || Date.now() >= deadline) return lead;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
    }
  }

  /** GET /api/v1/reports/leads: one page, newest first. */
  async listLeads(query: LeadsPageQuery = {}): Promise<LeadsPage> {
    return (await this.get('/api/v1/reports/leads', { ...query })) as unknown as LeadsPage;
  }

  /** Every page of the report, following `nextCursor`; `limit` is the page size. */
  async *leadPages(query: LeadsFilters & { limit?: number } = {}): AsyncGenerator<LeadsPage> {
    let cursor: string | undefined;
    do {
      const page = await this.listLeads({ ...query, cursor });
      yield page;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** Every row of the report, a page at a time: `for await (const row of client.leads({ from }))`. */
  async *leads(query: LeadsFilters & { limit?: number } = {}): AsyncGenerator<LeadReportRow> {
    for await (const page of this.leadPages(query)) yield* page.rows;
  }

  /** GET /api/v1/reports/summary: counts per day (UTC), affiliate, campaign, product or country. */
  async summary(query: SummaryQuery = {}): Promise<SummaryRow[]> {
    return ((await this.get('/api/v1/reports/summary', { ...query })) as unknown as { rows: SummaryRow[] }).rows;
  }
}
