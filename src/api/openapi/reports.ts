import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { COUNTS } from '../../projections/dailySummary.js';
import { LEAD_FIELDS, type LeadReportRow as LeadReportRowType } from '../../reports/leadsQuery.js';
import { LeadsQuery, REPORT_STATUSES, SummaryQuery } from '../../reports/reportQuery.js';
import type { SummaryRow as SummaryRowType } from '../../reports/summaryQuery.js';
import { errorResponses, security, Timestamp, type SameKeys, type SecurityRequirements } from './components.js';

// Built from the field lists the queries and the CSV export use, so a new column cannot go undocumented.
const textColumns = Object.fromEntries(LEAD_FIELDS.map((field) => [field, z.string().nullable()])) as Record<(typeof LEAD_FIELDS)[number], z.ZodNullable<z.ZodString>>;
const countColumns = Object.fromEntries(COUNTS.map((count) => [count, z.number().int()])) as Record<(typeof COUNTS)[number], z.ZodNumber>;

/** One row of the Leads via API report (leadsQuery's toRow). */
export const LeadReportRow = z.object({
  ...textColumns,
  leadId: z.string(),
  receivedAt: Timestamp,
  affiliateId: z.string(),
  status: z.enum(REPORT_STATUSES),
  signupAt: Timestamp.nullable(),
  ftdAt: Timestamp.nullable(),
  ftdAmount: z.number().nullable(),
  test: z.boolean(),
});

export const LeadsPage = z.object({
  rows: z.array(LeadReportRow),
  nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last one.' }),
});

/** One group of the summary (summaryQuery's rows). */
export const SummaryRow = z.object({
  key: z.string().nullable().meta({ description: 'A UTC day (YYYY-MM-DD), an id or a country; null for refusals that had none.' }),
  ...countColumns,
  ftdAmount: z.number(),
});

export const SummaryAnswer = z.object({ rows: z.array(SummaryRow) });

// Compile-time: the documented rows name exactly the fields the queries return.
const _leadRowFields: SameKeys<LeadReportRowType, z.infer<typeof LeadReportRow>> = true;
const _summaryRowFields: SameKeys<SummaryRowType, z.infer<typeof SummaryRow>> = true;

const csv = { 'text/csv': { schema: z.string().meta({ description: 'Header row first, then one line a row (RFC 4180).' }) } };

const reportErrors = (affiliateKey: boolean) =>
  errorResponses({
    400: '`validation.<parameter>`, for example `validation.cursor` for a cursor this report did not give out.',
    401: affiliateKey ? '`auth.missing_token`, `auth.invalid_token`, `auth.token_expired`, `auth.unauthenticated`.' : '`auth.unauthenticated`.',
    403: affiliateKey ? '`auth.ip_not_allowed`, `auth.forbidden`.' : '`auth.forbidden`: not an employee.',
  });

function leadsReport(operationId: string, scope: string, access: SecurityRequirements, affiliateKey: boolean): ZodOpenApiOperationObject {
  return {
    operationId,
    summary: 'The Leads via API report',
    tags: [affiliateKey ? 'Reports' : 'Admin: reports'],
    description: `${scope} Newest first, a keyset page at a time; \`format=csv\` streams every matching row, whatever \`limit\` says. Test leads are left out unless \`includeTest=true\`.`,
    security: access,
    requestParams: { query: LeadsQuery },
    responses: {
      200: { description: 'A page of rows, or the CSV export.', content: { 'application/json': { schema: LeadsPage }, ...csv } },
      ...reportErrors(affiliateKey),
    },
  };
}

function summaryReport(operationId: string, scope: string, access: SecurityRequirements, affiliateKey: boolean): ZodOpenApiOperationObject {
  return {
    operationId,
    summary: 'Counts per day, affiliate, campaign, product or country',
    tags: [affiliateKey ? 'Reports' : 'Admin: reports'],
    description: `${scope} \`leads\` counts accepted leads, not refusals; every count is a JSON number; days are UTC dates.`,
    security: access,
    requestParams: { query: SummaryQuery },
    responses: {
      200: { description: 'One row a group, in key order.', content: { 'application/json': { schema: SummaryAnswer }, ...csv } },
      ...reportErrors(affiliateKey),
    },
  };
}

const OWN_ROWS = "An affiliate key (or an affiliate user's console session) sees its own rows; an employee token or session sees all.";
const ALL_ROWS = 'Every affiliate; `affiliateId` filters.';

/** API Reports, for affiliates and for external systems. */
export const reportPaths: ZodOpenApiPathsObject = {
  '/api/v1/reports/leads': { get: leadsReport('getLeadsReport', OWN_ROWS, [...security.affiliateKey, ...security.employeeRead], true) },
  '/api/v1/reports/summary': { get: summaryReport('getSummaryReport', OWN_ROWS, [...security.affiliateKey, ...security.employeeRead], true) },
};

/** The same reports under /api/admin. */
export const adminReportPaths: ZodOpenApiPathsObject = {
  '/api/admin/reports/leads': { get: leadsReport('adminGetLeadsReport', ALL_ROWS, security.employeeRead, false) },
  '/api/admin/reports/summary': { get: summaryReport('adminGetSummaryReport', ALL_ROWS, security.employeeRead, false) },
};
