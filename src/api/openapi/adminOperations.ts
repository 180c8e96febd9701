import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { HttpExchange } from '../../events/types/lead.js';
import type { DeliveryAttemptView } from '../routes/admin/leadTimeline.js';
import type { PostbackAttemptView } from '../routes/admin/postbackDeliveries.js';
import { EmployeeBody } from '../routes/admin/employees.js';
import { ReplayBody } from '../routes/admin/projections.js';
import { TokenBody } from '../routes/admin/tokens.js';
import { adminPaths } from './adminRoute.js';
import { CreatedEmployeeToken, Employee, EmployeeToken } from './adminViews.js';
import { itemsOf, jsonResponse, noContent, Timestamp, type SameKeys } from './components.js';

const ProjectionState = z.object({
  name: z.string(),
  position: z.string().meta({ description: 'The global position of the last event applied.' }),
  lagEvents: z.number().int(),
  lagSeconds: z.number(),
  replaying: z.boolean(),
  replay: z
    .object({ startedAt: Timestamp.nullable(), targetPosition: z.string().nullable(), eventsDone: z.number().int().nullable(), eventsTotal: z.number().int().nullable() })
    .nullable(),
});

const DeliveryAttempt = z.object({
  attempt: z.number().int(),
  startedAt: Timestamp,
  durationMs: z.number().int().nullable(),
  outcome: z.enum(['in_progress', 'delivered', 'rejected', 'failed']),
  code: z.string().nullable(),
  error: z.string().nullable(),
  outcomeUnknown: z.boolean().meta({ description: 'The CRM may have the lead although the attempt failed (a timeout, a crash mid-call).' }),
  request: HttpExchange.shape.request.nullable(),
  response: z.object({ status: z.number().int(), body: z.string() }).nullable(),
});

const PostbackAttempt = z.object({
  deliveryId: z.string(),
  event: z.enum(['lead', 'signup', 'ftd', 'deposit']),
  method: z.enum(['GET', 'POST']),
  url: z.string(),
  attempt: z.number().int().meta({ description: '0 while nothing has been sent.' }),
  series: z.number().int(),
  status: z.number().int().nullable(),
  outcome: z.enum(['pending', 'retrying', 'delivered', 'failed']),
  error: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  at: Timestamp,
});

const LeadTimeline = z.object({
  lead: z.record(z.string(), z.unknown()).meta({ description: 'The lead as received (password never included) and its current status.' }),
  events: z.array(z.object({ type: z.string(), at: Timestamp, data: z.record(z.string(), z.unknown()) })),
  attempts: z.array(DeliveryAttempt),
  postbacks: z.array(PostbackAttempt),
});

const PostbackDelivery = z.object({
  id: z.string(),
  postbackId: z.string(),
  affiliateId: z.string(),
  leadId: z.string(),
  event: z.enum(['lead', 'signup', 'ftd', 'deposit']),
  transactionId: z.string().nullable(),
  method: z.enum(['GET', 'POST']),
  status: z.string(),
  series: z.number().int(),
  attempts: z.array(PostbackAttempt),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const _deliveryAttempt: SameKeys<DeliveryAttemptView, z.infer<typeof DeliveryAttempt>> = true;
const _postbackAttempt: SameKeys<PostbackAttemptView, z.infer<typeof PostbackAttempt>> = true;

/** Staff, tokens, projections and the logs behind a lead. */
export const adminOperationPaths: ZodOpenApiPathsObject = {
  ...adminPaths('Admin: staff and tokens', {
    '/employees': {
      get: { id: 'listEmployees', summary: 'List employees', adminOnly: true, answers: { 200: jsonResponse('The employees.', itemsOf(Employee)) } },
      post: { id: 'createEmployee', summary: 'Create an admin or manager', adminOnly: true, body: EmployeeBody, answers: { 201: jsonResponse('Created.', Employee) } },
    },
    '/tokens': {
      get: { id: 'listEmployeeTokens', summary: "The caller's employee tokens", answers: { 200: jsonResponse('The tokens.', itemsOf(EmployeeToken)) } },
      post: { id: 'createEmployeeToken', summary: 'Create an employee token for automation', body: TokenBody, answers: { 201: jsonResponse('Created; the token is shown once.', CreatedEmployeeToken) } },
    },
    '/tokens/{id}': {
      delete: { id: 'revokeEmployeeToken', summary: 'Revoke one of the caller\'s tokens', answers: { 204: noContent } },
    },
  }),
  ...adminPaths('Admin: leads, postbacks and projections', {
    '/leads/{leadId}': {
      get: {
        id: 'getLeadTimeline',
        summary: "A lead's timeline",
        description: 'Its events, every CRM attempt with request and response (secrets masked), and its postbacks.',
        answers: { 200: jsonResponse('The timeline.', LeadTimeline) },
      },
    },
    '/postbacks/{deliveryId}': {
      get: { id: 'getPostbackDelivery', summary: "One postback delivery and its attempts", answers: { 200: jsonResponse('The delivery.', PostbackDelivery) } },
    },
    '/postbacks/{deliveryId}/resend': {
      post: {
        id: 'resendPostback',
        summary: 'Fire a postback again',
        description: 'Starts a new series of attempts, whatever became of the last one.',
        answers: { 202: jsonResponse('Queued.', z.object({ success: z.literal(true), deliveryId: z.string(), series: z.number().int() })) },
      },
    },
    '/projections': {
      get: { id: 'listProjections', summary: "Async projections' positions, lag and rebuilds", answers: { 200: jsonResponse('The projections.', itemsOf(ProjectionState)) } },
    },
    '/projections/replay': {
      post: {
        id: 'replayProjections',
        summary: 'Rebuild projections from the event log',
        description: 'All async projections, or those named. Runs in the background; `GET /api/admin/projections` shows its progress. 409 `conflict` when one is already being rebuilt.',
        adminOnly: true,
        body: ReplayBody,
        answers: { 202: jsonResponse('Started.', z.object({ started: z.array(z.string()) })) },
      },
    },
  }),
};
