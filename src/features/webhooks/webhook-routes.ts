import { z } from 'zod';
import type { Db } from '../../infra/db/database.js';
import { cursorId, pageById, pageQuerySchema } from '../../http/pagination.js';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { permissions } from '../../kernel/permissions.js';
import { actorOf } from '../../kernel/principal.js';
import type { WebhookDeliveryStore } from './webhook-delivery-store.js';
import type { WebhookEndpoint } from './webhook-endpoint-store.js';
import { secretMask, type WebhookService } from './webhook-service.js';
import { listAnswerSchema, pageSchema } from '../../http/response-schema.js';
import {
  replayedDeliverySchema,
  replayedSinceSchema,
  testDeliverySchema,
  type WebhookDeliveryWithAttempts,
  webhookDeliverySchema,
  webhookEndpointSchema,
} from './webhook-schema.js';

const secretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{24,}={0,2}$/, 'a Standard Webhooks secret: whsec_ and at least 18 bytes in base64');
const eventTypesSchema = z.array(z.string().max(60)).min(1).max(50);
const createSchema = z.object({
  url: z.string().max(2000),
  description: z.string().max(200).optional(),
  eventTypes: eventTypesSchema,
  enabled: z.boolean().optional(),
  secret: secretSchema.optional(),
});
const patchSchema = z.object({
  url: z.string().max(2000).optional(),
  description: z.string().max(200).optional(),
  eventTypes: eventTypesSchema.optional(),
  enabled: z.boolean().optional(),
  secret: z.union([z.literal(secretMask), secretSchema]).optional(),
});
const replaySchema = z.object({ since: z.iso.datetime({ offset: true }) });

/** An endpoint as answered: the secret masked. */
const shown = (endpoint: WebhookEndpoint): z.output<typeof webhookEndpointSchema> => ({
  ...endpoint,
  secret: secretMask,
});

/** Admins manage webhook endpoints and read their delivery logs. */
export function webhookRoutes(deps: {
  db: Db;
  service: WebhookService;
  deliveries: WebhookDeliveryStore;
}): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'post',
        path: '/webhook-endpoints',
        summary: 'Add a webhook endpoint',
        description:
          'Events are POSTed signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). Without `secret`, Keyway makes one and answers it this once; it is never shown again.',
        roles: permissions.manageEventsOut,
        body: createSchema,
        answer: {
          status: 201,
          description: 'The endpoint (secret masked, or the generated one).',
          schema: webhookEndpointSchema,
        },
      },
      async ({ body }, req, res) => {
        const made = await deps.service.create(body, actorOf(principalOf(req)));
        // A secret Keyway made is answered this once; one the admin chose is never echoed.
        res.status(201).json({ ...shown(made.endpoint), ...(made.secret && { secret: made.secret }) });
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/webhook-endpoints',
        summary: 'Webhook endpoints',
        roles: permissions.manageEventsOut,
        answer: {
          status: 200,
          description: '`{data}` of endpoints, secrets masked.',
          schema: listAnswerSchema(webhookEndpointSchema),
        },
      },
      async (_input, _req, res) => {
        res.json({ data: (await deps.service.list()).map(shown) });
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/webhook-endpoints/:id',
        summary: 'One webhook endpoint',
        roles: permissions.manageEventsOut,
        answer: { status: 200, description: 'The endpoint, secret masked.', schema: webhookEndpointSchema },
      },
      async ({ params: { id } }, _req, res) => {
        res.json(shown(await deps.service.get(id)));
      },
    ),
    defineRoute(
      {
        method: 'patch',
        path: '/webhook-endpoints/:id',
        summary: 'Change a webhook endpoint',
        description: 'A `secret` equal to the mask keeps the stored one.',
        roles: permissions.manageEventsOut,
        body: patchSchema,
        answer: { status: 200, description: 'The endpoint, secret masked.', schema: webhookEndpointSchema },
      },
      async ({ params: { id }, body }, req, res) => {
        res.json(shown(await deps.service.update(id, body, actorOf(principalOf(req)))));
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/webhook-endpoints/:id/deliveries',
        summary: 'Delivery log of an endpoint, newest first',
        description: 'Each delivery with its attempts: status code, latency, the first KB of the answer.',
        roles: permissions.manageEventsOut,
        query: pageQuerySchema,
        answer: {
          status: 200,
          description: '`{data, nextCursor}` of deliveries.',
          schema: pageSchema(webhookDeliverySchema),
        },
      },
      async ({ params: { id }, query }, _req, res) => {
        await deps.service.get(id);
        const rows = await deps.deliveries.listOf(deps.db, id, query.limit + 1, cursorId(query.cursor));
        const page = pageById(rows, query.limit);
        const attempts = await deps.deliveries.attemptsOf(
          deps.db,
          page.data.map((d) => d.id),
        );
        res.json({
          ...page,
          data: page.data.map(
            (d): WebhookDeliveryWithAttempts => ({ ...d, attemptLog: attempts.filter((a) => a.deliveryId === d.id) }),
          ),
        });
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/webhook-endpoints/:id/deliveries/:deliveryId/replay',
        summary: 'Deliver one event again',
        roles: permissions.manageEventsOut,
        answer: { status: 201, description: 'The new delivery id.', schema: replayedDeliverySchema },
      },
      async ({ params: { id, deliveryId } }, req, res) => {
        res.status(201).json(await deps.service.replay(id, deliveryId, actorOf(principalOf(req))));
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/webhook-endpoints/:id/replay',
        summary: 'Deliver again every event since a time',
        roles: permissions.manageEventsOut,
        body: replaySchema,
        answer: { status: 201, description: 'How many deliveries were made.', schema: replayedSinceSchema },
      },
      async ({ params: { id }, body: { since } }, req, res) => {
        res.status(201).json(await deps.service.replaySince(id, Date.parse(since), actorOf(principalOf(req))));
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/webhook-endpoints/:id/test',
        summary: 'Send a test event to an endpoint',
        roles: permissions.manageEventsOut,
        answer: { status: 201, description: 'The test delivery and event ids.', schema: testDeliverySchema },
      },
      async ({ params: { id } }, req, res) => {
        res.status(201).json(await deps.service.sendTest(id, actorOf(principalOf(req))));
      },
    ),
  ]);
}
