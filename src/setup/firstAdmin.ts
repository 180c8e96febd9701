import { createEmployee } from '../commands/employees.js';
import type { CommandDeps } from '../commands/deps.js';
import { randomBase58 } from '../security/tokens.js';
import { isUniqueViolation } from '../db/errors.js';

export interface FirstAdmin {
  email: string;
  /** Set only when leadgate generated it: shown once at start, never logged. */
  generatedPassword?: string;
}

const SYSTEM = { actor: { kind: 'system' as const, id: 'bootstrap' } };

/**
 * On an empty database, the first admin: ADMIN_EMAIL / ADMIN_PASSWORD when given, else
 * admin@leadgate.local with a generated password. When two processes start together, the
 * unique email index lets one create it; the other's append rolls back whole.
 */
export async function ensureFirstAdmin(deps: CommandDeps): Promise<FirstAdmin | undefined> {
  const existing = await deps.storage.db.selectFrom('employees').select('id').limit(1).executeTakeFirst();
  if (existing) return undefined;
  const email = deps.config.ADMIN_EMAIL ?? 'admin@leadgate.local';
  const generatedPassword = deps.config.ADMIN_PASSWORD ? undefined : randomBase58(20);
  try {
    await createEmployee(deps, { email, password: deps.config.ADMIN_PASSWORD ?? generatedPassword!, role: 'admin' }, SYSTEM);
  } catch (err) {
    if (isUniqueViolation(err) || (err as { code?: string }).code === 'validation.email') return undefined;
    throw err;
  }
  return { email, generatedPassword };
}
