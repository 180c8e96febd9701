import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { LeadStatus as ServerLeadState } from '../../src/db/schema.js';
import type { LeadBody } from '../../src/api/intake/leadInput.js';
import type { LeadReportRow as ServerReportRow } from '../../src/reports/leadsQuery.js';
import type { LeadsQuery, REPORT_STATUSES, SummaryQuery as ServerSummaryQuery } from '../../src/reports/reportQuery.js';
import type { SummaryRow as ServerSummaryRow } from '../../src/reports/summaryQuery.js';
import type { LeadInput, LeadReportRow, LeadState, LeadsPageQuery, ReportStatus, SummaryQuery, SummaryRow } from '../../sdk/src/index.js';

/*
 * The SDK's types are hand-kept so it stands alone; these pins fail `npm run typecheck` the
 * moment a server schema and the SDK part ways. Each `const` only compiles while its check is
 * `true`.
 */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** For types the server spells as intersections, where Equal's identity check is too strict. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? Equal<keyof A, keyof B> : false) : false;

// What createLead sends is exactly what the intake schema accepts.
const leadInput: Equal<LeadInput, z.input<typeof LeadBody>> = true;
const leadState: Equal<LeadState, ServerLeadState> = true;
const reportStatus: Equal<ReportStatus, (typeof REPORT_STATUSES)[number]> = true;

// Report rows: the same fields; the SDK only narrows `status` to the statuses the report writes.
const reportRow: Same<LeadReportRow, ServerReportRow & { status: ReportStatus }> = true;
const summaryRow: Same<SummaryRow, ServerSummaryRow> = true;

// Report queries: every parameter the server reads but `format` (the SDK reads JSON), with its values.
const leadsQueryKeys: Equal<keyof LeadsPageQuery, Exclude<keyof z.input<typeof LeadsQuery>, 'format'>> = true;
const leadsStatus: Equal<NonNullable<LeadsPageQuery['status']>, NonNullable<z.input<typeof LeadsQuery>['status']>> = true;
const summaryQueryKeys: Equal<keyof SummaryQuery, Exclude<keyof z.input<typeof ServerSummaryQuery>, 'format'>> = true;
const groupBy: Equal<NonNullable<SummaryQuery['groupBy']>, NonNullable<z.input<typeof ServerSummaryQuery>['groupBy']>> = true;

const SDK_SOURCES = new URL('../../sdk/src/', import.meta.url);

describe('the SDK stands alone', () => {
  it('pins its types to the server schemas (checked by the type checker)', () => {
    expect([leadInput, leadState, reportStatus, reportRow, summaryRow, leadsQueryKeys, leadsStatus, summaryQueryKeys, groupBy].every(Boolean)).toBe(true);
  });

  it('imports nothing but its own modules: no runtime dependency, no server code', async () => {
    const files = (await readdir(SDK_SOURCES)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const source = await readFile(new URL(file, SDK_SOURCES), 'utf8');
      const specifiers = [...source.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]);
      expect(specifiers.filter((s) => !s!.startsWith('./')), file).toEqual([]);
    }
  });
});
