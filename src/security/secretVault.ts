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

  async reveal(db: Kysely<Database>, id: string): Promise<string> {
    const row = await db.selectFrom('secrets').select('sealed').where('id', '=', id).executeTakeFirstOrThrow();
    return this.box.open(row.sealed);
  }
}
