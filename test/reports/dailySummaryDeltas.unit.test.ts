import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DailySummaryLeadsTable } from '../../src/db/schema.js';
import { event, type DomainEvent, type StoredEvent } from '../../src/events/events.js';
import { COUNTS, deltaOf, evolveLead, type Counts } from '../../src/projections/dailySummary.js';
import { evolve } from '../../src/projections/leadsReport.js';
import { leadReceived } from '../support/events.js';

const leadId = 'ld_1';

function stored(events: DomainEvent[]): StoredEvent[] {
  const start = Date.parse('2026-11-23T23:59:00.000Z');
  return events.map((e, i) => ({
    ...e,
    streamId: `lead-${leadId}`,
    streamVersion: i + 1,
    globalPosition: String(i + 1),
    transactionId: String(i + 1),
    metadata: {},
    createdAt: new Date(start + i * 30_000),
  }));
}

const later = fc.oneof(
  fc.constant(event('LeadDelivered', { leadId, attempt: 1 })),
  fc.constant(event('LeadRejected', { leadId, attempt: 1, code: 'crm.rejected', error: 'no' })),
  fc.constant(event('DeliveryAttemptFailed', { leadId, attempt: 1, code: 'crm.timeout', error: 'slow' })),
  fc.constant(event('LeadDeliveryFailed', { leadId, attempts: 3, code: 'crm.unavailable', error: 'down' })),
  fc.record({ kind: fc.constantFrom('signup' as const, 'ftd' as const, 'deposit' as const), amount: fc.option(fc.constantFrom('100', '250.5', '0.01'), { nil: undefined }), n: fc.nat(1000) }).map(({ kind, amount, n }) =>
    event('LeadConverted', { leadId, conversionId: `cv-${n}`, productId: 'p_1', event: kind, amount, transactionId: `t-${n}`, occurredAt: '2026-11-25T10:00:00.000Z' }),
  ),
);

describe('daily summary deltas', () => {
  it('mirror the leads report: status, one sign-up, the first FTD and its amount, on the received day', () => {
    fc.assert(
      fc.property(fc.array(later, { maxLength: 12 }), (rest) => {
        const events = stored([leadReceived({ leadId }), ...rest]);
        let row: ReturnType<typeof evolve>;
        let lead: DailySummaryLeadsTable | undefined;
        const total: Counts = { leads: 0, delivered: 0, rejected: 0, failed: 0, pending: 0, duplicates: 0, refused: 0, signups: 0, ftds: 0 };
        const amounts: string[] = [];
        for (const e of events) {
          row = evolve(row, e);
          const next = evolveLead(lead, e);
          const delta = deltaOf(lead, next, e);
          lead = next;
          if (!delta) continue;
          // Days come from the LeadReceived time, even when a later event falls on the next day.
          expect(delta.key.day).toBe('2026-11-23');
          for (const c of COUNTS) total[c] += delta.counts[c] ?? 0;
          if (delta.ftdAmount !== undefined) amounts.push(delta.ftdAmount);
        }
        expect(lead?.status).toBe(row?.status);
        expect(lead?.signed_up).toBe(row?.signup_at !== null);
        expect(lead?.ftd).toBe(row?.ftd_at !== null);
        const status = row!.status as 'pending' | 'delivered' | 'rejected' | 'failed';
        expect(total).toEqual({ ...{ leads: 1, delivered: 0, rejected: 0, failed: 0, pending: 0, duplicates: 0, refused: 0 }, [status]: 1, signups: row!.signup_at ? 1 : 0, ftds: row!.ftd_at ? 1 : 0 });
        expect(amounts).toEqual(row!.ftd_at && row!.ftd_amount !== null ? [row!.ftd_amount] : []);
      }),
    );
  });

  it('count a refusal once, as a duplicate or refused, with unknown key parts as empty', () => {
    const [duplicate, refused] = stored([
      event('LeadRefused', { refusalId: 'rf_1', affiliateId: 'aff_1', code: 'duplicate', error: 'dup', campaignId: 'c_1', productId: 'p_1', test: false, lead: { country: 'pt' } }),
      event('LeadRefused', { refusalId: 'rf_2', affiliateId: 'aff_1', code: 'validation.email', error: 'bad', test: true, lead: {} }),
    ]);
    expect(deltaOf(undefined, undefined, duplicate!)).toEqual({
      key: { day: '2026-11-23', affiliate_id: 'aff_1', campaign_id: 'c_1', product_id: 'p_1', country: 'PT', test: false },
      counts: { duplicates: 1 },
    });
    expect(deltaOf(undefined, undefined, refused!)).toEqual({
      key: { day: '2026-11-23', affiliate_id: 'aff_1', campaign_id: '', product_id: '', country: '', test: true },
      counts: { refused: 1 },
    });
  });
});
