import type { InlineProjection } from '../../events/eventStore.js';

/** Employees and their API tokens, as login and token auth read them. */
export const employeesProjection: InlineProjection = {
  name: 'employees',
  handles: ['EmployeeCreated', 'EmployeeTokenCreated', 'EmployeeTokenRevoked'],
  async apply(trx, events) {
    for (const e of events) {
      switch (e.type) {
        case 'EmployeeCreated':
          await trx
            .insertInto('employees')
            .values({ id: e.data.employeeId, email: e.data.email, password_hash: e.data.passwordHash, role: e.data.role, created_at: e.createdAt })
            .execute();
          break;
        case 'EmployeeTokenCreated':
          await trx
            .insertInto('employee_tokens')
            .values({
              id: e.data.tokenId,
              employee_id: e.data.employeeId,
              name: e.data.name,
              token_hash: e.data.tokenHash,
              prefix: e.data.prefix,
              created_at: e.createdAt,
            })
            .execute();
          break;
        case 'EmployeeTokenRevoked':
          await trx.updateTable('employee_tokens').set({ revoked_at: e.createdAt }).where('id', '=', e.data.tokenId).execute();
          break;
      }
    }
  },
};
