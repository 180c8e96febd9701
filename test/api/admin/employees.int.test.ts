import { beforeAll, describe, expect, it } from 'vitest';
import { readStream } from '../../../src/events/readStream.js';
import { HttpSession } from '../../support/http.js';
import { ADMIN, startTestServer, type TestServer } from '../../support/testServer.js';

const PASSWORD = 'employee-password-1';

describe('employees (admin API)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('postgres');
  });

  it('creates and lists employees without their password or its hash', async () => {
    const created = await server.admin.post('/api/admin/employees', { email: 'mia@leadgate.example', password: PASSWORD, role: 'manager' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^e_/), email: 'mia@leadgate.example', role: 'manager', createdAt: expect.any(String) });
    expect(created.text).not.toMatch(/password|scrypt\$/i);

    const list = await server.admin.get('/api/admin/employees');
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(created.body);
    expect(list.body.items.map((e: { email: string }) => e.email)).toContain(ADMIN.email);
    expect(list.text).not.toContain(PASSWORD);
    expect(list.text).not.toMatch(/password|scrypt\$/i);
  });

  it('lets a new employee log in with the role it was given', async () => {
    await server.admin.post('/api/admin/employees', { email: 'noah@leadgate.example', password: PASSWORD, role: 'admin' });
    const noah = new HttpSession(server.url);
    await noah.login('noah@leadgate.example', PASSWORD);
    expect((await noah.get('/api/auth/me')).body).toMatchObject({ email: 'noah@leadgate.example', role: 'admin', kind: 'employee' });
    expect((await noah.get('/api/admin/employees')).status).toBe(200);
  });

  it('forbids a manager to list or create employees', async () => {
    await server.admin.post('/api/admin/employees', { email: 'olga@leadgate.example', password: PASSWORD, role: 'manager' });
    const manager = new HttpSession(server.url);
    await manager.login('olga@leadgate.example', PASSWORD);
    for (const res of [
      await manager.get('/api/admin/employees'),
      await manager.post('/api/admin/employees', { email: 'promoted@leadgate.example', password: PASSWORD, role: 'admin' }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ success: false, code: 'auth.forbidden' });
    }
    const emails = (await server.admin.get('/api/admin/employees')).body.items.map((e: { email: string }) => e.email);
    expect(emails).not.toContain('promoted@leadgate.example');
    expect((await manager.get('/api/admin/products')).status).toBe(200);
  });

  it('records the creation on the employee’s stream with the acting admin, never the password', async () => {
    const created = await server.admin.post('/api/admin/employees', { email: 'pia@leadgate.example', password: PASSWORD, role: 'manager' });
    const events = await readStream(server.runtime.deps.storage.db, `employee-${created.body.id}`);
    expect(events.map((e) => e.type)).toEqual(['EmployeeCreated']);
    const me = await server.admin.get('/api/auth/me');
    expect(events[0]!.metadata.actor).toEqual({ kind: 'employee', id: me.body.id });
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  it('refuses an email already in use, whatever its case', async () => {
    const res = await server.admin.post('/api/admin/employees', { email: ADMIN.email.toUpperCase(), password: PASSWORD, role: 'manager' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ success: false, code: 'validation.email' });
  });

  it.each([
    ['email', { email: 'not-an-email', password: PASSWORD, role: 'manager' }],
    ['email', { password: PASSWORD, role: 'manager' }],
    ['password', { email: 'short@leadgate.example', password: 'seven77', role: 'manager' }],
    ['password', { email: 'none@leadgate.example', role: 'manager' }],
    ['role', { email: 'role@leadgate.example', password: PASSWORD, role: 'affiliate' }],
    ['role', { email: 'norole@leadgate.example', password: PASSWORD }],
  ])('refuses an employee with a bad %s, naming the field', async (field, body) => {
    const res = await server.admin.post('/api/admin/employees', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, code: `validation.${field}` });
    expect(res.body.error).toContain(field);
    if ('password' in body) expect(res.text).not.toContain(body.password);
  });

  it('answers 401 without a session', async () => {
    for (const res of [
      await server.anonymous.get('/api/admin/employees'),
      await server.anonymous.post('/api/admin/employees', { email: 'anon@leadgate.example', password: PASSWORD, role: 'admin' }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('auth.unauthenticated');
    }
  });
});
