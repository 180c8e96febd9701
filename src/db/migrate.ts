import { Migrator, type Kysely } from 'kysely';
import { migrationProvider } from '../../migrations/index.js';
import type { Database } from './schema.js';

export class MigrationError extends Error {}

/**
 * Brings the schema up to date. Kysely's migrator takes a lock of its own, so several
 * processes starting at once run each migration exactly once.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new MigrationError(`migration ${failed?.migrationName ?? ''} failed: ${reason}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
