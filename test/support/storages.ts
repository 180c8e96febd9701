import { cleanup } from './cleanup.js';

import { migrateToLatest } from '../../src/db/migrate.js';
import { openEmbedded, openPostgres, type Storage } from '../../src/db/storage.js';
import { createTestDatabase } from './databases.js';

export type DatabaseKind = 'embedded' | 'postgres';
export const DATABASE_KINDS: DatabaseKind[] = ['embedded', 'postgres'];

/**
 * Opens a migrated storage of the given kind: an in-memory PGlite, or a fresh database on
 * the test Postgres. Closed (and dropped) after the file's tests.
 */
export async function openTestStorage(kind: DatabaseKind, label = 'test'): Promise<Storage & { url?: string }> {
  if (kind === 'embedded') {
    const storage = await openEmbedded(':memory:');
    await migrateToLatest(storage.db);
    cleanup(() => storage.close());
    return storage;
  }
  const database = await createTestDatabase(label);
  const storage = await openPostgres(database.url);
  await migrateToLatest(storage.db);
  cleanup(async () => {
    await storage.close();
    await database.drop();
  });
  return Object.assign(storage, { url: database.url });
}
