import { beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../src/api/routes/admin/index.js';
import { createEmployee } from '../../src/commands/employees.js';
import { HttpSession } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

/** Every admin route, read from the router itself, so a new route cannot skip these checks. */
function routeTable(server: TestServer): { method: string; path: string }[] {
  const router = adminRoutes(server.runtime.deps);
  return router.stack.flatMap((layer) =>
    layer.methods.filter((m) => m !== 'HEAD').map((method) => ({ method, path: String(layer.path).replace(/:(\w+)/g, (_: string, name: string) => `x_${name}`) })),
  );
}

const ADMIN_ONLY = [/^\/api\/admin\/employees/, /^\/api\/admin\/projections\/replay/];

describe('who may call which admin route', () => {
  let server: TestServer;
  let manager: HttpSession;
  let affiliateUser: HttpSession;

  beforeAll(async () => {
    server = await startTestServer('embedded');
    await createEmployee(server.runtime.deps, { email: 'manager@example.com', password: 'manager-password', role: 'manager' }, {});
    manager = new HttpSession(server.url);
    await manager.login('manager@example.com', 'manager-password');
    const affiliate = await server.admin.post('/api/admin/affiliates', { name: 'Matrix', email: 'matrix@example.com' });
    await server.admin.post(`/api/admin/affiliates/${affiliate.body.id}/users`, { email: 'portal@example.com', password: 'portal-password' });
    affiliateUser = new HttpSession(server.url);
    await affiliateUser.login('portal@example.com', 'portal-password');
  });

  it('has routes to check', () => {
    expect(routeTable(server).length).toBeGreaterThan(30);
  });

  it('refuses every admin route to anonymous callers (401), affiliate users (403) and unknown tokens (401)', async () => {
    const failures: string[] = [];
    for (const { method, path } of routeTable(server)) {
      const anonymous = await server.anonymous.request(method, path, method === 'GET' ? undefined : {});
      if (anonymous.status !== 401) failures.push(`${method} ${path} anonymous → ${anonymous.status}`);
      const portal = await affiliateUser.request(method, path, method === 'GET' ? undefined : {});
      if (portal.status !== 403 || portal.body.code !== 'auth.forbidden') failures.push(`${method} ${path} affiliate user → ${portal.status}`);
      const token = await HttpSession.withToken(server.url, 'lge_unknown').request(method, path, method === 'GET' ? undefined : {});
      if (token.status !== 401) failures.push(`${method} ${path} unknown token → ${token.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('lets managers past authentication everywhere but the admin-only routes', async () => {
    const failures: string[] = [];
    for (const { method, path } of routeTable(server)) {
      const res = await manager.request(method, path, method === 'GET' ? undefined : {});
      const adminOnly = ADMIN_ONLY.some((re) => re.test(path));
      if (adminOnly && res.status !== 403) failures.push(`${method} ${path} manager → ${res.status}, expected 403`);
      if (!adminOnly && (res.status === 401 || res.status === 403)) failures.push(`${method} ${path} manager → ${res.status}`);
      if (res.status >= 500) failures.push(`${method} ${path} manager → ${res.status} ${res.text}`);
    }
    expect(failures).toEqual([]);
  });
});
