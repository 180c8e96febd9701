import { errors } from '../api/errors.js';
import { event } from '../events/events.js';
import { newId } from '../ids.js';
import { newCredential } from '../security/tokens.js';
import type { CommandDeps, Meta } from './deps.js';

/** An employee's API token as listed: never the token, which only its creation answer carries. */
export interface EmployeeTokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface CreatedEmployeeToken {
  id: string;
  token: string;
  name: string;
  prefix: string;
  createdAt: Date;
}

const streamOf = (employeeId: string) => `employee-${employeeId}`;

function tokensQuery(deps: CommandDeps, employeeId: string) {
  return deps.storage.db
    .selectFrom('employee_tokens')
    .select(['id', 'name', 'prefix', 'created_at', 'revoked_at'])
    .where('employee_id', '=', employeeId);
}

function toView(r: { id: string; name: string; prefix: string; created_at: Date; revoked_at: Date | null }): EmployeeTokenView {
  return { id: r.id, name: r.name, prefix: r.prefix, createdAt: r.created_at, revokedAt: r.revoked_at };
}

/** The employee's own token; another employee's is as unknown as one that never existed. */
async function getEmployeeToken(deps: CommandDeps, employeeId: string, tokenId: string): Promise<EmployeeTokenView> {
  const row = await tokensQuery(deps, employeeId).where('id', '=', tokenId).executeTakeFirst();
  if (!row) throw errors.notFound('Token');
  return toView(row);
}

/** Issues a token for automation: only its SHA-256 reaches the log and the read model. */
export async function createEmployeeToken(deps: CommandDeps, employeeId: string, input: { name: string }, meta: Meta): Promise<CreatedEmployeeToken> {
  const tokenId = newId('et');
  const credential = newCredential('lge');
  await deps.store.append(
    streamOf(employeeId),
    [event('EmployeeTokenCreated', { tokenId, employeeId, name: input.name, tokenHash: credential.hash, prefix: credential.prefix })],
    { expectedVersion: 'any', metadata: meta },
  );
  const view = await getEmployeeToken(deps, employeeId, tokenId);
  return { id: view.id, token: credential.value, name: view.name, prefix: view.prefix, createdAt: view.createdAt };
}

export async function listEmployeeTokens(deps: CommandDeps, employeeId: string): Promise<EmployeeTokenView[]> {
  const rows = await tokensQuery(deps, employeeId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toView);
}

/** Revokes at once; revoking an already revoked token changes nothing and records nothing. */
export async function revokeEmployeeToken(deps: CommandDeps, employeeId: string, tokenId: string, meta: Meta): Promise<void> {
  const token = await getEmployeeToken(deps, employeeId, tokenId);
  if (token.revokedAt) return;
  await deps.store.append(streamOf(employeeId), [event('EmployeeTokenRevoked', { tokenId, employeeId })], { expectedVersion: 'any', metadata: meta });
}
