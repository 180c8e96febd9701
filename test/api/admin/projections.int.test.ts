import { beforeAll, describe, expect, it } from 'vitest';
import { createEmployee } from '../../../src/commands/employees.js';
import { startFakeCrm } from '../../support/fakeCrm.js';
import { leadBody, setupAffiliate } from '../../support/fixtures.js';
import { HttpSession } from '../../support/http.js';
import { waitFor } from '../../support/spawnLeadgate.js';
import { startTestServer, type TestServer } from '../../support/testServer.js';

describe.each(['embedded', 'postgres'] as const)('projections in the console (%s)', (shape) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(shape, { SYNC_WINDOW_MS: '5000' });
    const crm = await startFakeCrm();
    const aff = await setupAffiliate(server, { crmUrl: crm.url });
    const api = HttpSession.withToken(server.url, aff.apiKey);
    for (let i = 0; i < 5; i++) expect((await api.post('/api/v1/leads', leadBody(aff.campaignId))).status).toBe(200);
    await server.runtime.projector!.catchUp();
  });

  it('lists every async projection with its position and lag', async () => {
    const res = await server.admin.get('/api/admin/projections');
    expect(res.status).toBe(200);
    const names = res.body.items.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['leads_report', 'daily_summary', 'postback_triggers']));
    for (const p of res.body.items) expect(p).toMatchObject({ lagEvents: 0, replaying: false, replay: null });
  });

  it('replays while the server runs, and the report ends as it was', async () => {
    const before = await server.admin.get('/api/admin/reports/leads?limit=1000');
    const res = await server.admin.post('/api/admin/projections/replay', { projections: ['leads_report', 'daily_summary'] });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ started: ['leads_report', 'daily_summary'] });
    await waitFor(async () => {
      const p = await server.admin.get('/api/admin/projections');
      return p.body.items.every((i: { replaying: boolean; lagEvents: number }) => !i.replaying && i.lagEvents === 0) ? true : undefined;
    }, 20_000, 'the replay to finish');
    const after = await server.admin.get('/api/admin/reports/leads?limit=1000');
    expect(after.body.rows).toEqual(before.body.rows);
    expect(after.body.rows).toHaveLength(5);
  });

  it('refuses unknown projections, and managers', async () => {
    const bad = await server.admin.post('/api/admin/projections/replay', { projections: ['nope'] });
    expect([bad.status, bad.body.code]).toEqual([400, 'validation.projections']);
    await createEmployee(server.runtime.deps, { email: `mgr-${shape}@example.com`, password: 'manager-password' , role: 'manager' }, {});
    const manager = new HttpSession(server.url);
    await manager.login(`mgr-${shape}@example.com`, 'manager-password');
    expect((await manager.post('/api/admin/projections/replay', {})).status).toBe(403);
    expect((await manager.get('/api/admin/projections')).status).toBe(200);
  });
});
