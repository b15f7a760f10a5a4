import express from 'express';
import { z } from 'zod';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { actorOf, operators, readers } from '../../kernel/principal.js';
import { serviceView } from './service.js';
import { SIGNATURE_HEADER } from './service-callback-signer.js';
import type { ServiceProvisioningService } from './service-provisioning-service.js';
import { serviceCallbackAnswerSchema, serviceSchema } from './service-schema.js';

export interface ServiceRoutesDeps {
  service: ServiceProvisioningService;
}

const markReadySchema = z.object({ note: z.string().trim().min(1).max(1000).optional() }).strict();

/** Staff routes on services; mount under /api/v1 behind bearer authentication. */
export function servicesRoutes(deps: ServiceRoutesDeps): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'get',
        path: '/services/:id',
        summary: 'One service of a subscription',
        roles: readers,
        answer: { status: 200, description: 'The service, secret settings masked.', schema: serviceSchema },
      },
      async ({ params: { id } }, _req, res) => {
        res.json(serviceView(await deps.service.get(id)));
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/services/:id/mark-ready',
        summary: 'Mark a manual service ready',
        description: 'When it is the last service of its subscription, the license requests are released.',
        roles: operators,
        body: markReadySchema,
        answer: { status: 200, description: 'The service, `ready`.', schema: serviceSchema },
      },
      async ({ params: { id }, body: { note } }, req, res) => {
        res.json(serviceView(await deps.service.markReady(id, actorOf(principalOf(req)), note)));
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/services/:id/retry',
        summary: 'Retry a failed service',
        roles: operators,
        answer: { status: 200, description: 'The service as the retry left it.', schema: serviceSchema },
      },
      async ({ params: { id } }, req, res) => {
        res.json(serviceView(await deps.service.retry(id, actorOf(principalOf(req)))));
      },
    ),
  ]);
}

/**
 * The provider's signed confirmation, `POST /services/:id/ready`. Mount under /api/v1 BEFORE
 * bearer authentication: the signature is its authentication, computed over the raw body, so
 * this route parses the body itself (any content type, at most 64 kB).
 */
export function serviceCallbackRoutes(deps: ServiceRoutesDeps): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'post',
        path: '/services/:id/ready',
        summary: "A webhook service's signed confirmation",
        description: `No token: \`${SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of the raw body>\` with the secret sent in the webhook. Any body, at most 64 kB.`,
        roles: 'none',
        bodyParser: express.raw({ type: '*/*', limit: '64kb' }),
        answer: {
          status: 200,
          description: '`{id, state, changed}` and nothing else about the service.',
          schema: serviceCallbackAnswerSchema,
        },
      },
      async ({ params: { id } }, req, res) => {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const { service, changed } = await deps.service.confirmCallback(id, body, req.get(SIGNATURE_HEADER));
        // The caller is outside our trust: it learns the outcome, not the service's settings.
        res.json({ id: service.id, state: service.state, changed });
      },
    ),
  ]);
}
