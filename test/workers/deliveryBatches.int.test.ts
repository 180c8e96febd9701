import { describe, expect, it } from 'vitest';
import { LeadBatcher } from '../../src/api/intake/leadBatcher.js';
import { processLead } from '../../src/api/intake/processLead.js';
import { OutboundHttp } from '../../src/crm/httpClient.js';
import { readStream } from '../../src/events/readStream.js';
import type { Runtime } from '../../src/runtime.js';
import type { JobQueues } from '../../src/workers/jobQueues.js';
import { DELIVERY_QUEUE, enqueueDeliveries, startDeliveryWorker } from '../../src/workers/delivery/deliveryQueue.js';
import { cleanup } from '../support/cleanup.js';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate } from '../support/fixtures.js';
import { waitFor } from '../support/spawnLeadgate.js';
import { SHAPES, startTestServer, type Shape } from '../support/testServer.js';

const FINAL = ['LeadDelivered', 'LeadRejected', 'LeadDeliveryFailed'];

/** leadgate's API and projector with no delivery worker of its own: each test starts the worker it needs. */
const apiOnly = (shape: Shape) => startTestServer(shape, { SYNC_WINDOW_MS: '0' }, { roles: ['api', 'projector'] });

/**
 * Accepts `count` leads in one intake batch (submitted in the same turn of the event loop,
 * as concurrent requests are) and returns their ids with the batches the intake enqueued.
 */
async function acceptTogether(runtime: Runtime, affiliateId: string, bodies: Record<string, unknown>[]): Promise<{ leadIds: string[]; batches: string[][] }> {
  const { deps } = runtime;
  const batches: string[][] = [];
  const leads = new LeadBatcher(deps, { enqueue: async (ids) => void batches.push(ids) });
  const answers = await Promise.all(bodies.map((body) => processLead({ ...deps, leads }, { affiliateId, body, meta: { actor: { kind: 'affiliate', id: affiliateId } } })));
  return { leadIds: answers.map((a) => (a.body as { leadId: string }).leadId), batches };
}

function queuesOf(runtime: Runtime): JobQueues {
  const { queues } = runtime.deps;
  if (!queues) throw new Error('the runtime has no job queues');
  return queues;
}

function deliveryWorker(runtime: Runtime, concurrency: number) {
  const { storage, store, vault } = runtime.deps;
  const queues = queuesOf(runtime);
  const http = new OutboundHttp({ allowPrivate: true, trustedPrefix: () => 'http://sandbox.invalid/' });
  const worker = startDeliveryWorker(queues, { storage, store, vault, http }, { concurrency, lockMs: 30_000 });
  cleanup(async () => {
    await worker.close();
    await http.close();
  });
  return worker;
}

async function outcomes(runtime: Runtime, leadIds: string[]): Promise<Map<string, string[]>> {
  const byLead = new Map<string, string[]>();
  for (const leadId of leadIds) byLead.set(leadId, (await readStream(runtime.deps.storage.db, `lead-${leadId}`)).map((e) => e.type));
  return byLead;
}

async function allFinal(runtime: Runtime, leadIds: string[]): Promise<Map<string, string[]>> {
  return waitFor(
    async () => {
      const byLead = await outcomes(runtime, leadIds);
      return [...byLead.values()].every((types) => types.some((t) => FINAL.includes(t))) ? byLead : undefined;
    },
    30_000,
    'every lead of the batch to have an outcome',
  );
}

describe.each(SHAPES)('delivery jobs carrying an intake batch (%s)', (shape) => {
  it('one job delivers every lead of the batch, one CRM call each, never more at once than the worker concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const crm = await startFakeCrm(async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 60));
      inFlight--;
      return {};
    });
    const server = await apiOnly(shape);
    const aff = await setupAffiliate(server, { crmUrl: crm.url });
    const { leadIds, batches } = await acceptTogether(
      server.runtime,
      aff.affiliateId,
      Array.from({ length: 12 }, () => leadBody(aff.campaignId)),
    );
    expect(batches).toEqual([leadIds]);

    await enqueueDeliveries(queuesOf(server.runtime), leadIds);
    const queue = queuesOf(server.runtime).queue(DELIVERY_QUEUE);
    expect(await queue.getJobCounts('waiting')).toMatchObject({ waiting: 1 });
    deliveryWorker(server.runtime, 3);

    const byLead = await allFinal(server.runtime, leadIds);
    for (const types of byLead.values()) expect(types).toEqual(['LeadReceived', 'DeliveryAttemptStarted', 'LeadDelivered']);
    const sent = crm.calls.map((c) => c.json?.lead);
    expect(sent.sort()).toEqual([...leadIds].sort());
    expect(peak).toBe(3);
    await expect.poll(async () => (await queue.getJobCounts('completed')).completed, { timeout: 10_000 }).toBe(1);
  });

  it('a lead of the batch that must try again gets a job of its own and is delivered on its retry; the others once', async () => {
    const flaky = `flaky.${Date.now()}@example.com`;
    let refusedOnce = false;
    const crm = await startFakeCrm((call) => {
      if (call.json?.email === flaky && !refusedOnce) {
        refusedOnce = true;
        return { status: 503, body: { status: 'error', message: 'busy' } };
      }
      return {};
    });
    const server = await apiOnly(shape);
    const aff = await setupAffiliate(server, { crmUrl: crm.url, integration: { retry: { attempts: 3, baseDelayMs: 200 } } });
    const bodies = Array.from({ length: 5 }, (_, i) => leadBody(aff.campaignId, i === 2 ? { email: flaky } : {}));
    const { leadIds } = await acceptTogether(server.runtime, aff.affiliateId, bodies);
    await enqueueDeliveries(queuesOf(server.runtime), leadIds);
    deliveryWorker(server.runtime, 5);

    const byLead = await allFinal(server.runtime, leadIds);
    leadIds.forEach((leadId, i) => {
      const types = byLead.get(leadId);
      if (i === 2) expect(types).toEqual(['LeadReceived', 'DeliveryAttemptStarted', 'DeliveryAttemptFailed', 'DeliveryAttemptStarted', 'LeadDelivered']);
      else expect(types).toEqual(['LeadReceived', 'DeliveryAttemptStarted', 'LeadDelivered']);
    });
    expect(crm.calls.filter((c) => c.json?.email === flaky)).toHaveLength(2);
    expect(crm.calls).toHaveLength(6);
    // The batch's job and the flaky lead's own.
    const queue = queuesOf(server.runtime).queue(DELIVERY_QUEUE);
    await expect.poll(async () => (await queue.getJobCounts('completed')).completed, { timeout: 10_000 }).toBe(2);
  });
});
