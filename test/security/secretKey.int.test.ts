import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { boot } from '../../src/runtime.js';
import { SecretBox } from '../../src/security/secretBox.js';
import { SecretVault } from '../../src/security/secretVault.js';
import { cleanup } from '../support/cleanup.js';
import { createTestDatabase, redisUrl, uniquePrefix } from '../support/databases.js';
import { DATABASE_KINDS, openTestStorage } from '../support/storages.js';

const newKey = () => randomBytes(32).toString('base64');

describe.each(DATABASE_KINDS)('SECRET_KEY against what the database holds sealed (%s)', (kind) => {
  it('accepts the key the secrets were sealed with, or any key while nothing is sealed; refuses another', async () => {
    const storage = await openTestStorage(kind, 'secret_key_check');
    const key = newKey();
    const vault = new SecretVault(new SecretBox(key));
    await expect(vault.checkKey(storage.db)).resolves.toBeUndefined();

    await vault.store(storage.db, JSON.stringify({ 'X-Api-Key': 'crm-secret-value' }));
    await expect(vault.checkKey(storage.db)).resolves.toBeUndefined();
    await expect(new SecretVault(new SecretBox(key)).checkKey(storage.db)).resolves.toBeUndefined();

    const other = new SecretVault(new SecretBox(newKey())).checkKey(storage.db);
    await expect(other).rejects.toThrow(/^SECRET_KEY does not open the secrets this database holds/);
    // The message names the key, never a secret.
    await expect(other).rejects.not.toThrow(/crm-secret-value/);
  });

  it("checks a lead's sealed password when no other secret is stored", async () => {
    const storage = await openTestStorage(kind, 'secret_key_password');
    const vault = new SecretVault(new SecretBox(newKey()));
    await storage.db.insertInto('lead_passwords').values({ lead_id: 'ld_sealed', sealed: vault.seal('Secret-123') }).execute();
    await expect(vault.checkKey(storage.db)).resolves.toBeUndefined();
    await expect(new SecretVault(new SecretBox(newKey())).checkKey(storage.db)).rejects.toThrow(/another key/);
  });
});

describe('starting leadgate with another SECRET_KEY than its database was sealed with', () => {
  it('stops at start with the reason, and starts again with the right key', async () => {
    const database = await createTestDatabase('secret_key_boot');
    cleanup(() => database.drop());
    const env = (secretKey: string) =>
      loadConfig({ DATABASE_URL: database.url, REDIS_URL: redisUrl(), QUEUE_PREFIX: uniquePrefix('secret_key_boot'), SECRET_KEY: secretKey, DEMO: 'false', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    const key = newKey();
    const first = await boot(env(key), { roles: ['api'], logger: createLogger('silent') });
    await first.deps.vault.store(first.deps.storage.db, JSON.stringify({ Authorization: 'Bearer crm-token' }));
    await first.close();

    await expect(boot(env(newKey()), { roles: ['api'], logger: createLogger('silent') })).rejects.toThrow(/SECRET_KEY does not open the secrets/);
    const again = await boot(env(key), { roles: ['api'], logger: createLogger('silent') });
    await again.close();
  });
});
