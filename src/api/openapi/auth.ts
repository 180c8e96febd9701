import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { CSRF_COOKIE, SESSION_COOKIE } from '../auth/sessions.js';
import { LoginBody } from '../routes/auth.js';
import { errorResponses, jsonContent, jsonResponse, noContent, security } from './components.js';

export const LoginAnswer = z.object({
  success: z.literal(true),
  csrfToken: z.string().meta({ description: `Also set as the readable \`${CSRF_COOKIE}\` cookie: send it as X-CSRF-Token on state-changing requests.` }),
});

export const Me = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(['admin', 'manager', 'affiliate']),
  kind: z.enum(['employee', 'affiliate_user']),
  affiliateId: z.string().optional().meta({ description: "An affiliate user's affiliate." }),
});

/** Console login for employees and affiliate users. */
export const authPaths: ZodOpenApiPathsObject = {
  '/api/auth/login': {
    post: {
      operationId: 'login',
      summary: 'Log in to the console',
      tags: ['Console login'],
      description: `Sets the httpOnly \`${SESSION_COOKIE}\` session cookie and the readable \`${CSRF_COOKIE}\` cookie. Failed logins are throttled per email and per IP.`,
      security: security.none,
      requestBody: { required: true, content: jsonContent(LoginBody) },
      responses: {
        200: jsonResponse('Logged in.', LoginAnswer),
        ...errorResponses({
          400: '`validation.<field>`.',
          401: '`auth.unauthenticated`: wrong email or password.',
          429: '`rate_limited`: too many failed logins.',
        }),
      },
    },
  },
  '/api/auth/logout': {
    post: {
      operationId: 'logout',
      summary: 'Log out',
      tags: ['Console login'],
      description: 'Ends the session, if any, and clears its cookies.',
      security: security.none,
      responses: { 204: noContent, ...errorResponses() },
    },
  },
  '/api/auth/me': {
    get: {
      operationId: 'me',
      summary: 'Who is logged in',
      tags: ['Console login'],
      security: security.employeeRead,
      responses: { 200: jsonResponse('The caller.', Me), ...errorResponses({ 401: '`auth.unauthenticated` or `auth.invalid_token`.' }) },
    },
  },
};
