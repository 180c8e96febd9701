import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LeadBody } from '../../src/api/intake/leadInput.js';
import { acceptLeads } from '../../src/commands/acceptLead.js';
import type { Config } from '../../src/config.js';
import { ConcurrencyError } from '../../src/events/errors.js';
import { event } from '../../src/events/events.js';
import { EventStore } from '../../src/events/eventStore.js';
import { inlineProjections } from '../../src/projections/inline/index.js';
import { SecretBox } from '../../src/security/secretBox.js';
import { SecretVault } from '../../src/security/secretVault.js';
import { DATABASE_KINDS, openTestStorage } from '../support/storages.js';

describe.each(DATABASE_KINDS)('a lone append with its inline writes in one statement on %s', (kind) => {
  it('updates the lead row with the event, refuses a stale version writing nothing, and drops the password on the outcome', async () => {
    const storage = await openTestStorage(kind, 'single_statement');
    const store = new EventStore(storage.db, inlineProjections);
    const vault = new SecretVault(new SecretBox(randomBytes(32).toString('base64')));
    const lead = { email: 'one@example.com', firstName: 'Ana', lastName: 'Silva', country: 'PT', password: 'Secret-123', test: false } as LeadBody;
    const [accepted] = await acceptLeads({ config: {} as Config, storage, store, vault }, [
      { input: { affiliateId: 'aff_1', campaignId: 'c_1', productId: 'p_1', integrationId: 'i_1', dailyCap: null, dedupe: { fields: ['email'], windowDays: 30 }, lead }, meta: {} },
    ]);
    const leadId = accepted!.kind === 'accepted' ? accepted!.leadId : '';
    const row = () => storage.db.selectFrom('leads').selectAll().where('lead_id', '=', leadId).executeTakeFirstOrThrow();
    const hasPassword = async () => (await storage.db.selectFrom('lead_passwords').select('lead_id').where('lead_id', '=', leadId).execute()).length === 1;

    const [started] = await store.append(`lead-${leadId}`, [event('DeliveryAttemptStarted', { leadId, attempt: 1 })], { expectedVersion: 1 });
    expect(started!.streamVersion).toBe(2);
    expect(await row()).toMatchObject({ attempts: 1, stream_version: 2, status: 'pending' });
    expect((await row()).last_attempt_started_at).toEqual(started!.createdAt);

    // Stale (another worker moved on) and ahead (a version from the future): nothing changes.
    for (const expectedVersion of [1, 5]) {
      const stale = store.append(`lead-${leadId}`, [event('LeadDelivered', { leadId, attempt: 1, autoLoginUrl: 'https://crm.example/x' })], { expectedVersion });
      await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
    }
    expect(await row()).toMatchObject({ status: 'pending', stream_version: 2 });
    expect(await hasPassword()).toBe(true);
    expect(await store.readStream(`lead-${leadId}`)).toHaveLength(2);

    const failed = await store.append(`lead-${leadId}`, [event('DeliveryAttemptFailed', { leadId, attempt: 1, code: 'crm.unavailable', error: '503', retryInMs: 60_000 })], { expectedVersion: 2 });
    expect((await row()).next_attempt_at!.getTime()).toBe(failed[0]!.createdAt.getTime() + 60_000);
    expect(await hasPassword()).toBe(true);

    await store.append(`lead-${leadId}`, [event('LeadDelivered', { leadId, attempt: 1, autoLoginUrl: 'https://crm.example/x', externalId: 'c-1' })], { expectedVersion: 3 });
    expect(await row()).toMatchObject({ status: 'delivered', auto_login_url: 'https://crm.example/x', external_id: 'c-1', stream_version: 4 });
    expect(await hasPassword()).toBe(false);
  });
});
