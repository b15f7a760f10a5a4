import express, { Router } from 'express';
import { z } from 'zod';
import { idParams } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import { allow, principalOf } from '../auth/auth-middleware.js';
import { actorOf, operators, readers } from '../auth/principal.js';
import { serviceView } from './service.js';
import { SIGNATURE_HEADER } from './service-callback-signer.js';
import type { ServiceProvisioningService } from './service-provisioning-service.js';

export interface ServiceRoutesDeps {
  service: ServiceProvisioningService;
}

const markReadySchema = z.object({ note: z.string().trim().min(1).max(1000).optional() }).strict();

/** Staff routes on services; mount under /api/v1 behind bearer authentication. */
export function servicesRoutes(deps: ServiceRoutesDeps): Router {
  const router = Router();

  router.get('/services/:id', allow(...readers), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    res.json(serviceView(await deps.service.get(id)));
  });

  router.post('/services/:id/mark-ready', allow(...operators), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const { note } = validate(markReadySchema, req.body);
    res.json(serviceView(await deps.service.markReady(id, actorOf(principalOf(req)), note)));
  });

  router.post('/services/:id/retry', allow(...operators), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    res.json(serviceView(await deps.service.retry(id, actorOf(principalOf(req)))));
  });

  return router;
}

/**
 * The provider's signed confirmation, `POST /services/:id/ready`. Mount under /api/v1 BEFORE
 * bearer authentication: the signature is its authentication, computed over the raw body, so
 * this route parses the body itself (any content type, at most 64 kB).
 */
export function serviceCallbackRoutes(deps: ServiceRoutesDeps): Router {
  const router = Router();
  router.post('/services/:id/ready', express.raw({ type: '*/*', limit: '64kb' }), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const { service, changed } = await deps.service.confirmCallback(id, body, req.get(SIGNATURE_HEADER));
    // The caller is outside our trust: it learns the outcome, not the service's settings.
    res.json({ id: service.id, state: service.state, changed });
  });
  return router;
}
