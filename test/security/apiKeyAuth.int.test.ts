import { beforeAll, describe, expect, it } from 'vitest';
import { createAffiliate } from '../../src/commands/affiliates.js';
import { issueApiKey, revokeApiKeys } from '../../src/commands/apiKeys.js';
import { authenticateApiKey, touchKeyLastUsed } from '../../src/security/apiKeyAuth.js';
import { startTestServer, type Shape, type TestServer } from '../support/testServer.js';

const meta = { actor: { kind: 'system' as const, id: 'test' } };

describe.each<Shape>(['postgres', 'embedded'])('API key authentication (%s)', (shape) => {
  let server: TestServer;
  let n = 0;
  const deps = () => server.runtime.deps;
  const db = () => server.runtime.deps.storage.db;
  const newAffiliate = async () => {
    n += 1;
    return (await createAffiliate(deps(), { name: `Auth ${n}`, email: `auth${n}@example.com`, kind: 'affiliate' }, meta)).id;
  };

  beforeAll(async () => {
    server = await startTestServer(shape);
  });

  it('resolves a key to its affiliate and key id', async () => {
    const affiliateId = await newAffiliate();
    const issued = await issueApiKey(deps(), affiliateId, {}, meta);
    expect(await authenticateApiKey(db(), issued.key)).toEqual({ ok: true, affiliateId, keyId: issued.id });
  });

  it('answers an unknown key as invalid, without throwing', async () => {
    expect(await authenticateApiKey(db(), 'lg_unknown')).toEqual({ ok: false, code: 'auth.invalid_token' });
    expect(await authenticateApiKey(db(), '')).toEqual({ ok: false, code: 'auth.invalid_token' });
  });

  it('answers expired from the expiry instant on', async () => {
    const affiliateId = await newAffiliate();
    const expiresAt = new Date(Date.now() + 3_600_000);
    const issued = await issueApiKey(deps(), affiliateId, { expiresAt }, meta);
    expect((await authenticateApiKey(db(), issued.key, new Date(expiresAt.getTime() - 1))).ok).toBe(true);
    expect(await authenticateApiKey(db(), issued.key, expiresAt)).toEqual({ ok: false, code: 'auth.token_expired' });
  });

  it('answers a replaced key as invalid from the end of its grace period on', async () => {
    const affiliateId = await newAffiliate();
    const old = await issueApiKey(deps(), affiliateId, {}, meta);
    const before = Date.now();
    await issueApiKey(deps(), affiliateId, { graceHours: 2 }, meta);
    const row = await db().selectFrom('api_keys').select('superseded_until').where('id', '=', old.id).executeTakeFirstOrThrow();
    const until = row.superseded_until!;
    expect(until.getTime() - before).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect((await authenticateApiKey(db(), old.key, new Date(until.getTime() - 1))).ok).toBe(true);
    expect(await authenticateApiKey(db(), old.key, until)).toEqual({ ok: false, code: 'auth.invalid_token' });
  });

  it('answers a revoked key as invalid even once it has expired too', async () => {
    const affiliateId = await newAffiliate();
    const issued = await issueApiKey(deps(), affiliateId, {}, meta);
    await revokeApiKeys(deps(), affiliateId, meta);
    expect(await authenticateApiKey(db(), issued.key, new Date(Date.now() + 400 * 86_400_000))).toEqual({ ok: false, code: 'auth.invalid_token' });
  });

  it('records the last use at most once a minute', async () => {
    const affiliateId = await newAffiliate();
    const issued = await issueApiKey(deps(), affiliateId, {}, meta);
    const lastUsed = async () =>
      (await db().selectFrom('api_keys').select('last_used_at').where('id', '=', issued.id).executeTakeFirstOrThrow()).last_used_at;

    await touchKeyLastUsed(db(), issued.id);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await touchKeyLastUsed(db(), issued.id);
    expect(await lastUsed()).toEqual(first);

    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await db().updateTable('api_keys').set({ last_used_at: twoMinutesAgo }).where('id', '=', issued.id).execute();
    await touchKeyLastUsed(db(), issued.id);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(twoMinutesAgo.getTime() + 60_000);
  });
});
