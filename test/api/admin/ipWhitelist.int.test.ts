import { beforeAll, describe, expect, it } from 'vitest';
import { readStream } from '../../../src/events/readStream.js';
import { ipAllowed } from '../../../src/security/ipRanges.js';
import { startTestServer, type TestServer } from '../../support/testServer.js';

describe('affiliate IP whitelists (admin API)', () => {
  let server: TestServer;
  let n = 0;
  const db = () => server.runtime.deps.storage.db;
  const newAffiliate = async (): Promise<string> => {
    n += 1;
    const res = await server.admin.post('/api/admin/affiliates', { name: `Affiliate ${n}`, email: `ipaff${n}@example.com`, kind: 'affiliate' });
    return res.body.id;
  };
  const listPath = (affiliateId: string) => `/api/admin/affiliates/${affiliateId}/ip-whitelist`;

  beforeAll(async () => {
    server = await startTestServer('postgres');
  });

  it('adds single addresses, ranges and CIDR blocks of both families, lists and removes them', async () => {
    const affiliateId = await newAffiliate();
    const single = await server.admin.post(listPath(affiliateId), { from: '203.0.113.7' });
    expect(single.status).toBe(201);
    expect(single.body).toEqual({
      id: expect.stringMatching(/^ip_/),
      from: '203.0.113.7',
      to: '203.0.113.7',
      input: '203.0.113.7',
      family: 4,
      openToAll: false,
      createdAt: expect.any(String),
    });
    const range = await server.admin.post(listPath(affiliateId), { from: '192.0.2.10', to: '192.0.2.20' });
    expect(range.body).toMatchObject({ from: '192.0.2.10', to: '192.0.2.20', input: '192.0.2.10 - 192.0.2.20', family: 4 });
    const cidr = await server.admin.post(listPath(affiliateId), { from: '2001:DB8::/32' });
    expect(cidr.body).toMatchObject({ from: '2001:db8::', to: '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', input: '2001:DB8::/32', family: 6 });
    const mapped = await server.admin.post(listPath(affiliateId), { from: '::ffff:198.51.100.1', to: null });
    expect(mapped.body).toMatchObject({ from: '198.51.100.1', to: '198.51.100.1', family: 4 });

    const list = await server.admin.get(listPath(affiliateId));
    expect(list.status).toBe(200);
    expect(list.body.openToAll).toBe(false);
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([single.body.id, range.body.id, cidr.body.id, mapped.body.id]);

    const rows = await db().selectFrom('ip_whitelist').select(['from_ip', 'to_ip', 'family']).where('affiliate_id', '=', affiliateId).execute();
    expect(ipAllowed('192.0.2.20', rows)).toBe(true);
    expect(ipAllowed('::ffff:203.0.113.7', rows)).toBe(true);
    expect(ipAllowed('2001:db8::42', rows)).toBe(true);
    expect(ipAllowed('192.0.2.21', rows)).toBe(false);

    expect((await server.admin.delete(`${listPath(affiliateId)}/${range.body.id}`)).status).toBe(204);
    const after = await server.admin.get(listPath(affiliateId));
    expect(after.body.items.map((i: { id: string }) => i.id)).toEqual([single.body.id, cidr.body.id, mapped.body.id]);
  });

  it('flags an entry spanning a whole family as open to all, on the entry and the list', async () => {
    const affiliateId = await newAffiliate();
    const open = await server.admin.post(listPath(affiliateId), { from: '0.0.0.0', to: '255.255.255.255' });
    expect(open.status).toBe(201);
    expect(open.body.openToAll).toBe(true);
    const v6 = await server.admin.post(listPath(affiliateId), { from: '::/0' });
    expect(v6.body.openToAll).toBe(true);
    expect((await server.admin.get(listPath(affiliateId))).body.openToAll).toBe(true);
  });

  it.each([
    ['from', { from: 'not-an-ip' }],
    ['from', { from: '' }],
    ['from', {}],
    ['from', { from: '10.0.0.0/33' }],
    ['to', { from: '10.0.0.1', to: 'nope' }],
    ['to', { from: '10.0.0.1', to: '2001:db8::1' }],
    ['to', { from: '10.0.0.9', to: '10.0.0.1' }],
    ['to', { from: '10.0.0.0/8', to: '10.0.0.9' }],
    ['to', { from: '10.0.0.1', to: 5 }],
  ])('refuses a bad %s: %j', async (field, body) => {
    const affiliateId = await newAffiliate();
    const res = await server.admin.post(listPath(affiliateId), body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, code: `validation.${field}` });
    expect(res.body.error).toContain(field);
    expect((await server.admin.get(listPath(affiliateId))).body.items).toEqual([]);
  });

  it('records every change as an event with the acting employee', async () => {
    const affiliateId = await newAffiliate();
    const entry = await server.admin.post(listPath(affiliateId), { from: '10.0.0.0/8' });
    await server.admin.delete(`${listPath(affiliateId)}/${entry.body.id}`);
    const events = await readStream(db(), `affiliate-${affiliateId}`);
    expect(events.map((e) => e.type)).toEqual(['AffiliateCreated', 'IpWhitelistEntryAdded', 'IpWhitelistEntryRemoved']);
    expect(events[1]!.data).toEqual({ entryId: entry.body.id, affiliateId, from: '10.0.0.0', to: '10.255.255.255', family: 4, input: '10.0.0.0/8', openToAll: false });
    const me = await server.admin.get('/api/auth/me');
    for (const e of events.slice(1)) expect(e.metadata.actor).toEqual({ kind: 'employee', id: me.body.id });
  });

  it('answers 401 without a session', async () => {
    const affiliateId = await newAffiliate();
    const entry = await server.admin.post(listPath(affiliateId), { from: '10.0.0.1' });
    const responses = [
      await server.anonymous.get(listPath(affiliateId)),
      await server.anonymous.post(listPath(affiliateId), { from: '10.0.0.2' }),
      await server.anonymous.delete(`${listPath(affiliateId)}/${entry.body.id}`),
    ];
    for (const res of responses) expect(res.body).toMatchObject({ success: false, code: 'auth.unauthenticated' });
    expect(responses.map((r) => r.status)).toEqual([401, 401, 401]);
    expect((await server.admin.get(listPath(affiliateId))).body.items).toHaveLength(1);
  });

  it('answers 404 for an unknown affiliate or entry, and for another affiliate\'s entry', async () => {
    const responses = [
      await server.admin.get(listPath('a_nope')),
      await server.admin.post(listPath('a_nope'), { from: '10.0.0.1' }),
      await server.admin.delete(`${listPath('a_nope')}/ip_nope`),
    ];
    for (const res of responses) expect(res.body).toMatchObject({ success: false, code: 'not_found' });
    expect(responses.map((r) => r.status)).toEqual([404, 404, 404]);

    const owner = await newAffiliate();
    const other = await newAffiliate();
    const entry = await server.admin.post(listPath(owner), { from: '10.0.0.1' });
    expect((await server.admin.delete(`${listPath(owner)}/ip_nope`)).status).toBe(404);
    expect((await server.admin.delete(`${listPath(other)}/${entry.body.id}`)).status).toBe(404);
    expect((await server.admin.get(listPath(owner))).body.items).toHaveLength(1);
  });
});
