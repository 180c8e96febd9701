import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import Router from '@koa/router';
import type { AppDeps } from '../deps.js';
import { errors } from '../errors.js';
import { openApiDocument } from '../openapi/document.js';
import { DOCS_CSP, DOCS_HTML, DOCS_SCRIPT } from '../openapi/docsPage.js';
import { send } from './web.js';

const SWAGGER_UI_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The only files of the package the page loads: a fixed list, so no request path reaches the file system. */
const SWAGGER_UI_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']);

/**
 * GET /openapi.json (the OpenAPI 3.1 document of every route) and GET /docs (Swagger UI on
 * it). Registered before webRoutes, whose console fallback leaves both paths alone.
 */
export function openApiRoutes(_deps: AppDeps): Router {
  const router = new Router();

  router.get('/openapi.json', (ctx) => {
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = openApiDocument();
  });

  router.get('/docs', (ctx) => {
    ctx.set({ 'Content-Security-Policy': DOCS_CSP, 'Cache-Control': 'no-cache' });
    ctx.type = 'html';
    ctx.body = DOCS_HTML;
  });

  router.get('/docs/:file', async (ctx) => {
    const name = ctx.params.file!;
    if (name === 'docs.js') {
      ctx.set('Cache-Control', 'no-cache');
      ctx.type = 'js';
      ctx.body = DOCS_SCRIPT;
      return;
    }
    if (!SWAGGER_UI_FILES.has(name)) throw errors.notFound('File');
    const file = path.join(SWAGGER_UI_DIR, name);
    const info = await stat(file);
    await send(ctx, file, info.size, info.mtime, 'public, max-age=3600');
  });

  return router;
}
