import { cleanup } from '../support/cleanup.js';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { openPostgres } from '../../src/db/storage.js';
import { EventStore } from '../../src/events/eventStore.js';
import { event } from '../../src/events/events.js';
import { Projector } from '../../src/projections/projector.js';
import { asyncProjections } from '../../src/projections/registry.js';
import { createTestDatabase } from '../support/databases.js';
import { leadReceived } from '../support/events.js';
import { spawnLeadgate } from '../support/spawnLeadgate.js';
import { SECRET_KEY } from '../support/testServer.js';

describe('leadgate replay', () => {
  it('rebuilds every async projection from the log, shows progress, and leaves the rows as they were', async () => {
    const database = await createTestDatabase('cli_replay');
    const storage = await openPostgres(database.url);
    cleanup(async () => {
      await storage.close();
      await database.drop();
    });
    await migrateToLatest(storage.db);
    const store = new EventStore(storage.db);
    for (let i = 0; i < 300; i++) {
      const leadId = randomUUID();
      await store.append(`lead-${leadId}`, [leadReceived({ leadId }), event('LeadDelivered', { leadId, attempt: 1, autoLoginUrl: `https://x/${i}` })], { expectedVersion: 'no_stream' });
    }
    await new Projector({ db: storage.db, projections: asyncProjections }).catchUp();
    const before = JSON.stringify(await storage.db.selectFrom('leads_report').selectAll().orderBy('lead_id').execute());

    const run = spawnLeadgate(['replay', '--all'], { env: { DATABASE_URL: database.url, SECRET_KEY } });
    expect(await run.exited, run.output()).toBe(0);
    for (const p of asyncProjections) expect(run.output()).toContain(`${p.name}: rebuilt from 600 events`);
    expect(run.output()).toMatch(/leads_report \[.+\] 100% \| 600\/600 events/);
    const after = JSON.stringify(await storage.db.selectFrom('leads_report').selectAll().orderBy('lead_id').execute());
    expect(after).toBe(before);
  });

  it('names the known projections when given an unknown one', async () => {
    const run = spawnLeadgate(['replay', 'nope'], { env: { DATABASE_URL: 'postgres://127.0.0.1:1/none', SECRET_KEY } });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('unknown projection nope; known: leads_report');
  });
});
