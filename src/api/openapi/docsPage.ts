import { CSRF_COOKIE } from '../auth/sessions.js';

/**
 * The /docs page: Swagger UI from the swagger-ui-dist package, served by this server (no CDN),
 * reading /openapi.json. Its start-up script is a file of its own so the page's CSP can forbid
 * inline scripts.
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>leadgate API reference</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/docs.js"></script>
</body>
</html>
`;

/**
 * "Try it out" runs in the page's origin: a console user's session cookie goes along, and the
 * CSRF header the API asks of it is copied from the readable CSRF cookie, as the console
 * does. The validator badge is off: it would send the document to validator.swagger.io.
 */
export const DOCS_SCRIPT = `'use strict';
function csrfToken() {
  var match = document.cookie.match(/(?:^|;\\s*)${CSRF_COOKIE}=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : undefined;
}
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  requestInterceptor: function (request) {
    var token = csrfToken();
    if (token && request.method && request.method.toUpperCase() !== 'GET') request.headers['X-CSRF-Token'] = token;
    return request;
  },
});
`;

/**
 * Swagger UI renders with React (styles through the CSSOM, which style-src does not govern)
 * and draws its icons as data: SVGs; "Try it out" calls this origin only.
 */
export const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
