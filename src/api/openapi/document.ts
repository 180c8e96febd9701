import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createDocument, type oas31 } from 'zod-openapi';
import { adminAffiliatePaths } from './adminAffiliates.js';
import { adminOperationPaths } from './adminOperations.js';
import { adminProductPaths } from './adminProducts.js';
import { authPaths } from './auth.js';
import { ErrorBody, securitySchemes } from './components.js';
import { conversionPaths } from './conversions.js';
import { intakePaths } from './intake.js';
import { operationPaths } from './operations.js';
import { PACKAGE_ROOT } from '../../packageRoot.js';
import { adminReportPaths, reportPaths } from './reports.js';

const { version } = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };

const tags = [
  { name: 'Affiliate API', description: 'Affiliates and IBs send leads with their API key and read their status.' },
  { name: 'Reports', description: 'API Reports: the Leads via API report and its summary, as JSON or CSV.' },
  { name: 'Advertiser API', description: 'The advertiser reports conversions with its product\'s conversion secret.' },
  { name: 'Console login', description: 'Sessions for the web console (employees and affiliate users).' },
  { name: 'Admin: products and integrations' },
  { name: 'Admin: affiliates' },
  { name: 'Admin: reports' },
  { name: 'Admin: leads, postbacks and projections' },
  { name: 'Admin: staff and tokens' },
  { name: 'Operations' },
  { name: 'Sandbox CRM' },
];

/**
 * The OpenAPI 3.1 document of every route, rendered by zod-openapi from the same zod schemas
 * the routes validate with (request bodies and queries in their input form: before defaults
 * and transforms). Built once: it depends on no configuration, and the server origin is the
 * one it is served from.
 */
function build(): oas31.OpenAPIObject {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'leadgate',
      version,
      description:
        'A "Leads via API" gateway: affiliates push leads, leadgate forwards them to the advertiser\'s CRM and answers with its outcome, reports on them and fires postbacks on conversions. ' +
        'Every error has the shape `{ "success": false, "error": "…", "code": "…" }`; times are ISO 8601 UTC.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags,
    paths: { ...intakePaths, ...reportPaths, ...conversionPaths, ...authPaths, ...adminProductPaths, ...adminAffiliatePaths, ...adminReportPaths, ...adminOperationPaths, ...operationPaths },
    components: { schemas: { Error: ErrorBody }, securitySchemes },
  });
}

let document: oas31.OpenAPIObject | undefined;

export function openApiDocument(): oas31.OpenAPIObject {
  document ??= build();
  return document;
}
