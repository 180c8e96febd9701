import type Router from '@koa/router';
import { compileErrors, validate } from '@readme/openapi-parser';
import type { OpenAPIV3_1 } from 'openapi-types';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../../src/api/app.js';
import { LeadBody } from '../../src/api/intake/leadInput.js';
import { Affiliate, ApiKey, IpWhitelist, Product } from '../../src/api/openapi/adminViews.js';
import { ErrorBody, itemsOf } from '../../src/api/openapi/components.js';
import { ConversionAnswer } from '../../src/api/openapi/conversions.js';
import { DuplicateLeadAnswer, LeadDeliveredAnswer, LeadFailedAnswer, LeadPendingAnswer, LeadRejectedAnswer, LeadStatusAnswer } from '../../src/api/openapi/intake.js';
import { LeadsPage, SummaryAnswer } from '../../src/api/openapi/reports.js';
import { ConversionBody } from '../../src/api/routes/conversions.js';
import { integrationInputSchema } from '../../src/crm/integrationInput.js';
import { LeadsQuery } from '../../src/reports/reportQuery.js';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate, type AffiliateSetup } from '../support/fixtures.js';
import { HttpSession, type HttpResponse } from '../support/http.js';
import { waitFor } from '../support/spawnLeadgate.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

type Document = OpenAPIV3_1.Document;
type Operation = OpenAPIV3_1.OperationObject;
type Schema = OpenAPIV3_1.SchemaObject;

/**
 * Routes that are not API operations, so the document leaves them out; everything else every
 * router answers must be in it.
 */
const NOT_OPERATIONS: { path: string; why: string }[] = [
  { path: '/docs', why: 'the reference page itself' },
  { path: '/docs/:file', why: "the reference page's script, stylesheet and icon" },
  { path: '/admin/queues{/*rest}', why: "Bull Board's UI and its own XHR API (a third-party mount)" },
];

interface RouteEntry {
  method: string;
  path: string;
}

/**
 * Every route of every router the app mounts, read from the app itself: `routes()` hands Koa
 * a dispatcher that carries its router, so this is app.ts's own list, not a copy of it.
 */
function appRoutes(server: TestServer): RouteEntry[] {
  const app = createApp(server.runtime.deps);
  const routers = app.middleware.flatMap((mw) => {
    const router = (mw as { router?: Router }).router;
    return router ? [router] : [];
  });
  expect(routers.length).toBeGreaterThanOrEqual(10);
  return routers.flatMap((router) =>
    router.stack.flatMap((layer) => {
      // The console's fallback is a RegExp matching every non-API path (web.ts): the SPA, not an operation.
      if (layer.path instanceof RegExp) return [];
      const path = String(layer.path);
      if (NOT_OPERATIONS.some((excluded) => excluded.path === path)) return [];
      return layer.methods.filter((m) => m !== 'HEAD').map((method) => ({ method, path }));
    }),
  );
}

const openApiPath = (koaPath: string) => koaPath.replace(/:(\w+)/g, '{$1}');

function operation(doc: Document, path: string, method: 'get' | 'post' | 'patch' | 'delete'): Operation {
  const op = doc.paths?.[path]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is not in the document`);
  return op;
}

function jsonBodySchema(doc: Document, path: string, method: 'post' | 'patch'): Schema {
  const body = operation(doc, path, method).requestBody as OpenAPIV3_1.RequestBodyObject;
  return body.content['application/json']!.schema as Schema;
}

/** What a zod schema accepts, as JSON Schema: the form the document must show for a request. */
const inputJsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Schema;

/**
 * The answer matches its documented schema and has no field the schema leaves out: parsing
 * strips unknown keys (and the documented schemas have no transforms), so the parsed value
 * equals the body only when every field is documented.
 */
function expectDocumented(schema: z.ZodType, res: HttpResponse, status: number) {
  expect(res.status, res.text).toBe(status);
  const parsed = schema.safeParse(res.body);
  expect(parsed.success, parsed.success ? '' : z.prettifyError(parsed.error)).toBe(true);
  expect(parsed.data).toEqual(res.body);
}

describe('the OpenAPI document at /openapi.json', () => {
  let server: TestServer;
  let doc: Document;

  beforeAll(async () => {
    server = await startTestServer('postgres', { SYNC_WINDOW_MS: '2000' });
    const res = await server.anonymous.get<Document>('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = res.body;
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toMatch(/^3\.1/);
    // The parser dereferences in place: give it a copy.
    const result = await validate(structuredClone(doc));
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('documents every route of every router the app mounts', () => {
    const routes = appRoutes(server);
    expect(routes.length).toBeGreaterThan(60);
    const missing = routes.filter(({ method, path }) => !doc.paths?.[openApiPath(path)]?.[method.toLowerCase() as 'get']).map(({ method, path }) => `${method} ${path}`);
    expect(missing).toEqual([]);
    console.log(`openapi: ${routes.length} routes checked against the document (${NOT_OPERATIONS.length} excluded patterns plus the console fallback)`);
  });

  it('documents no operation that no router answers', () => {
    const routes = new Set(appRoutes(server).map(({ method, path }) => `${method.toLowerCase()} ${openApiPath(path)}`));
    const documented = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      (['get', 'post', 'put', 'patch', 'delete'] as const).filter((m) => item?.[m]).map((m) => `${m} ${path}`),
    );
    expect(documented.filter((op) => !routes.has(op))).toEqual([]);
  });

  it('describes the security schemes of the contract', () => {
    const schemes = doc.components?.securitySchemes as Record<string, OpenAPIV3_1.SecuritySchemeObject>;
    expect(schemes.apiKeyHeader).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Api-Key' });
    expect(schemes.apiKeyBearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.employeeToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.consoleSession).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'lg_session' });
    expect(schemes.csrfToken).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-CSRF-Token' });
    expect(schemes.conversionSecret).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Conversion-Secret' });
    expect(operation(doc, '/api/v1/leads', 'post').security).toEqual([{ apiKeyBearer: [] }, { apiKeyHeader: [] }]);
    expect(operation(doc, '/api/admin/affiliates', 'post').security).toEqual([{ employeeToken: [] }, { consoleSession: [], csrfToken: [] }]);
    expect(operation(doc, '/api/admin/affiliates', 'get').security).toEqual([{ employeeToken: [] }, { consoleSession: [] }]);
  });

  it('gives every error answer the shared error shape', () => {
    expect(doc.components?.schemas?.Error).toMatchObject({ type: 'object', required: ['success', 'error', 'code'] });
    const notFound = operation(doc, '/api/v1/leads/{leadId}', 'get').responses?.['404'] as OpenAPIV3_1.ResponseObject;
    expect(notFound.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Error' });
  });

  it('describes request bodies and queries with the schemas the routes validate with', () => {
    const lead = jsonBodySchema(doc, '/api/v1/leads', 'post');
    const leadSchema = inputJsonSchema(LeadBody);
    expect(lead.required).toEqual(leadSchema.required);
    expect(lead.required).toEqual(['firstName', 'lastName', 'email', 'country']);
    expect(Object.keys(lead.properties ?? {})).toEqual(Object.keys(leadSchema.properties ?? {}));

    const conversion = jsonBodySchema(doc, '/api/v1/conversions', 'post');
    expect(conversion.required).toEqual(inputJsonSchema(ConversionBody).required);
    expect(conversion.properties?.event).toMatchObject({ enum: ['signup', 'ftd', 'deposit'] });

    const integration = jsonBodySchema(doc, '/api/admin/products/{id}/integrations', 'post');
    expect(integration.required).toEqual(inputJsonSchema(integrationInputSchema({ allowPrivate: false })).required);
    // The PATCH takes the same fields, none of them required (it is merged over the stored one).
    const patch = jsonBodySchema(doc, '/api/admin/products/{id}/integrations/{integrationId}', 'patch');
    expect(Object.keys(patch.properties ?? {})).toEqual(Object.keys(integration.properties ?? {}));
    expect(patch.required).toBeUndefined();

    const query = (operation(doc, '/api/v1/reports/leads', 'get').parameters as OpenAPIV3_1.ParameterObject[]).filter((p) => p.in === 'query').map((p) => p.name);
    expect(query).toEqual(Object.keys(LeadsQuery.shape));
  });

  describe('describes what the affiliate-facing endpoints answer', () => {
    let a: AffiliateSetup;
    let api: HttpSession;

    beforeAll(async () => {
      const crm = await startFakeCrm((call) => {
        const email = String(call.json?.email ?? '');
        if (email.includes('+reject')) return { body: { status: 'error', message: 'Email already registered' } };
        if (email.includes('+down')) return { status: 503, body: { message: 'busy' } };
        if (email.includes('+slow')) return { delayMs: 2500 };
        return {};
      });
      a = await setupAffiliate(server, { crmUrl: crm.url, integration: { timeoutMs: 5000 } });
      api = HttpSession.withToken(server.url, a.apiKey);
    });

    const email = (tag: string) => `${tag}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.com`;

    it('POST /api/v1/leads: 200, 202, 409, 422, 502 and 400', async () => {
      const first = leadBody(a.campaignId);
      expectDocumented(LeadDeliveredAnswer, await api.post('/api/v1/leads', first), 200);
      expectDocumented(LeadPendingAnswer, await api.post('/api/v1/leads', leadBody(a.campaignId, { email: email('x+slow') })), 202);
      expectDocumented(DuplicateLeadAnswer, await api.post('/api/v1/leads', leadBody(a.campaignId, { email: first.email })), 409);
      expectDocumented(LeadRejectedAnswer, await api.post('/api/v1/leads', leadBody(a.campaignId, { email: email('x+reject') })), 422);
      expectDocumented(LeadFailedAnswer, await api.post('/api/v1/leads', leadBody(a.campaignId, { email: email('x+down') })), 502);
      expectDocumented(ErrorBody, await api.post('/api/v1/leads', leadBody(a.campaignId, { country: 'XX' })), 400);
    });

    it('GET /api/v1/leads/{leadId} and POST /api/v1/conversions: 201, then 200 for the repeat', async () => {
      const { body: lead } = await api.post('/api/v1/leads', leadBody(a.campaignId));
      const { body: product } = await server.admin.get(`/api/admin/products/${a.productId}`);
      expectDocumented(Product, await server.admin.get(`/api/admin/products/${a.productId}`), 200);
      const advertiser = new HttpSession(server.url);
      const conversion = { leadId: lead.leadId, event: 'ftd', amount: 250, currency: 'usd', transactionId: `tx-${lead.leadId}` };
      expectDocumented(ConversionAnswer, await advertiser.post('/api/v1/conversions', conversion, { 'x-conversion-secret': product.conversionSecret }), 201);
      expectDocumented(ConversionAnswer, await advertiser.post('/api/v1/conversions', conversion, { 'x-conversion-secret': product.conversionSecret }), 200);
      expectDocumented(LeadStatusAnswer, await api.get(`/api/v1/leads/${lead.leadId}`), 200);
      expectDocumented(ErrorBody, await api.get('/api/v1/leads/ld_unknown'), 404);
    });

    it('GET /api/v1/reports/leads and /summary', async () => {
      const page = await waitFor(async () => {
        const res = await api.get('/api/v1/reports/leads?limit=2');
        return res.body.rows?.length === 2 ? res : undefined;
      }, 20_000, 'report rows');
      expectDocumented(LeadsPage, page, 200);
      expect(page.body.nextCursor).toEqual(expect.any(String));
      expectDocumented(SummaryAnswer, await api.get('/api/v1/reports/summary?groupBy=country'), 200);
      expectDocumented(ErrorBody, await api.get('/api/v1/reports/leads?cursor=nonsense'), 400);
    });

    it('and a few console answers', async () => {
      expectDocumented(itemsOf(Affiliate), await server.admin.get('/api/admin/affiliates'), 200);
      expectDocumented(ApiKey, await server.admin.get(`/api/admin/affiliates/${a.affiliateId}/api-key`), 200);
      expectDocumented(IpWhitelist, await server.admin.get(`/api/admin/affiliates/${a.affiliateId}/ip-whitelist`), 200);
    });
  });
});

describe('the API reference at /docs', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('embedded');
  });

  it('is its own page, with a CSP that allows no inline or outside script', async () => {
    const res = await server.anonymous.get('/docs', { accept: 'text/html' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('/docs/swagger-ui-bundle.js');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self';");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves Swagger UI from the installed package, and nothing else of it', async () => {
    const bundle = await fetch(`${server.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect(bundle.headers.get('etag')).toBeTruthy();
    expect((await fetch(`${server.url}/docs/docs.js`)).status).toBe(200);
    for (const path of ['/docs/index.html', '/docs/package.json', '/docs/..%2Fpackage.json', '/docs/swagger-initializer.js']) {
      const res = await server.anonymous.get(path);
      expect(res.status, path).toBe(404);
      expect(res.body).toMatchObject({ success: false, code: 'not_found' });
    }
  });
});
