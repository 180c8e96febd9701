import { errors, AppError } from '../api/errors.js';
import { event } from '../events/events.js';
import { newId } from '../ids.js';
import { hashPassword } from '../security/passwords.js';
import type { CommandDeps, Meta } from './deps.js';
import { isUniqueViolation } from '../db/errors.js';

export interface EmployeeView {
  id: string;
  email: string;
  role: 'admin' | 'manager';
  createdAt: Date;
}

/** Emails are unique across employees and affiliate users: one login form serves both. */
export async function assertEmailFree(deps: CommandDeps, email: string): Promise<void> {
  const lower = email.toLowerCase();
  const taken =
    (await deps.storage.db.selectFrom('employees').select('id').where(({ fn, eb }) => eb(fn('lower', ['email']), '=', lower)).executeTakeFirst()) ??
    (await deps.storage.db.selectFrom('affiliate_users').select('id').where(({ fn, eb }) => eb(fn('lower', ['email']), '=', lower)).executeTakeFirst());
  if (taken) throw new AppError(409, 'validation.email', 'email: already in use');
}

export async function createEmployee(
  deps: CommandDeps,
  input: { email: string; password: string; role: 'admin' | 'manager' },
  meta: Meta,
): Promise<EmployeeView> {
  await assertEmailFree(deps, input.email);
  const employeeId = newId('e');
  try {
    await deps.store.append(
      `employee-${employeeId}`,
      [event('EmployeeCreated', { employeeId, email: input.email, role: input.role, passwordHash: await hashPassword(input.password) })],
      { expectedVersion: 'no_stream', metadata: meta },
    );
  } catch (err) {
    // A concurrent create with the same email: the unique index refused ours.
    if (isUniqueViolation(err)) throw new AppError(409, 'validation.email', 'email: already in use');
    throw err;
  }
  return getEmployee(deps, employeeId);
}

export async function getEmployee(deps: CommandDeps, employeeId: string): Promise<EmployeeView> {
  const row = await deps.storage.db.selectFrom('employees').select(['id', 'email', 'role', 'created_at']).where('id', '=', employeeId).executeTakeFirst();
  if (!row) throw errors.notFound('Employee');
  return { id: row.id, email: row.email, role: row.role, createdAt: row.created_at };
}

export async function listEmployees(deps: CommandDeps): Promise<EmployeeView[]> {
  const rows = await deps.storage.db.selectFrom('employees').select(['id', 'email', 'role', 'created_at']).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, email: r.email, role: r.role, createdAt: r.created_at }));
}
