import { randomUUID } from 'node:crypto';
import { event, type DomainEvent } from '../../src/events/events.js';

/** A valid LeadReceived for tests, with overridable parts. */
export function leadReceived(overrides: { leadId?: string; affiliateId?: string; email?: string; test?: boolean } = {}): DomainEvent {
  const leadId = overrides.leadId ?? randomUUID();
  return event('LeadReceived', {
    leadId,
    affiliateId: overrides.affiliateId ?? 'aff_1',
    campaignId: 'c_1',
    productId: 'p_1',
    integrationId: 'i_1',
    test: overrides.test ?? false,
    lead: {
      email: overrides.email ?? `${leadId}@example.com`,
      firstName: 'Ana',
      lastName: 'Silva',
      country: 'PT',
      phone: '+351912345678',
      clickId: `click-${leadId}`,
      sub1: 'spring',
    },
  });
}
