import { z } from 'zod';
import { AppError } from '../api/errors.js';
import { createEmployee, type EmployeeView } from '../commands/employees.js';
import type { Config } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { EventStore } from '../events/eventStore.js';
import { inlineProjections } from '../projections/inline/index.js';
import { openStorage } from '../runtime.js';
import { SecretBox } from '../security/secretBox.js';
import { resolveSecretKey } from '../security/secretKey.js';
import { SecretVault } from '../security/secretVault.js';

/** The same bounds as POST /api/admin/employees. */
const AdminInput = z.object({
  email: z.email({ message: 'must be an email address' }).max(320),
  password: z.string().min(8, 'must be at least 8 characters').max(1024),
});

/**
 * Adds an admin through the same command as the console (an EmployeeCreated event), for an
 * installation whose admins are all locked out, or for scripted setup. Migrates first, so it
 * also works on a database no server has started on yet.
 */
export async function createAdmin(config: Config, input: { email: string; password: string }): Promise<EmployeeView> {
  const parsed = AdminInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`--${String(issue.path[0])} ${issue.message}`);
  }
  const storage = await openStorage(config);
  try {
    await migrateToLatest(storage.db);
    const secretKey = await resolveSecretKey({ secretKey: config.SECRET_KEY, embedded: storage.kind === 'embedded', dataDir: config.DATA_DIR });
    const deps = { config, storage, store: new EventStore(storage.db, inlineProjections), vault: new SecretVault(new SecretBox(secretKey)) };
    return await createEmployee(deps, { ...parsed.data, role: 'admin' }, { actor: { kind: 'system', id: 'cli' } });
  } catch (err) {
    if (err instanceof AppError && err.code === 'validation.email') throw new Error(`${input.email} is already in use (by an employee or an affiliate user)`);
    throw err;
  } finally {
    await storage.close();
  }
}
