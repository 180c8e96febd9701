import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { newId } from '../ids.js';
import type { SecretBox } from './secretBox.js';

/**
 * Sealed secrets referenced from events by id. The log never holds a secret's value; the
 * vault holds it encrypted under SECRET_KEY.
 */
export class SecretVault {
  constructor(private readonly box: SecretBox) {}

  async store(trx: Transaction<Database> | Kysely<Database>, plaintext: string): Promise<string> {
    const id = newId('sec');
    await trx.insertInto('secrets').values({ id, sealed: this.box.seal(plaintext) }).execute();
    return id;
  }

  /** Seals a value kept in a table of its own (a lead's password until delivery ends). */
  seal(plaintext: string): string {
    return this.box.seal(plaintext);
  }

  open(sealed: string): string {
    return this.box.open(sealed);
  }

  /**
   * Throws when this key cannot open what the database already holds sealed (the first
   * secret, else a lead's password): a process started with another SECRET_KEY stops at
   * start with that said, instead of failing every delivery on its CRM headers.
   */
  async checkKey(db: Kysely<Database>): Promise<void> {
    const row =
      (await db.selectFrom('secrets').select('sealed').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst()) ??
      (await db.selectFrom('lead_passwords').select('sealed').limit(1).executeTakeFirst());
    if (!row) return;
    try {
      this.box.open(row.sealed);
    } catch {
      throw new Error(
        'SECRET_KEY does not open the secrets this database holds: they were sealed with another key. Start leadgate with the key it first ran with (embedded: DATA_DIR/secret.key).',
      );
    }
  }

  async reveal(db: Kysely<Database>, id: string): Promise<string> {
    const row = await db.selectFrom('secrets').select('sealed').where('id', '=', id).executeTakeFirstOrThrow();
    return this.box.open(row.sealed);
  }
}
