import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../infra/db/database.js';
import { idParams } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import { allow, principalOf } from '../../http/access.js';
import { actorOf, admins, operators, readers } from '../../kernel/principal.js';
import type { KaAdapterProvider } from './ka-adapter-provider.js';
import type { KaConfigurationService } from './ka-configuration-service.js';
import type { KaConfigurationStore } from './ka-configuration-store.js';
import type { ApiOperation } from '../../http/openapi/api-operation.js';

const name = z.string().trim().min(1).max(120);
const settings = z.record(z.string(), z.unknown());
const allowedProducts = z.array(z.string().trim().min(1).max(120)).max(500).nullable();

const createSchema = z.object({
  name,
  plugin: z.string().min(1).max(100),
  settings: settings.default({}),
  enabled: z.boolean().default(true),
  allowedProducts: allowedProducts.default(null),
});
const updateSchema = z
  .object({
    name: name.optional(),
    settings: settings.optional(),
    enabled: z.boolean().optional(),
    allowedProducts: allowedProducts.optional(),
  })
  .strict();

export function kaConfigurationRoutes(deps: {
  db: Db;
  store: KaConfigurationStore;
  service: KaConfigurationService;
  plugins: KaAdapterProvider & { list(): unknown[] };
  /** The status of each plugin by name (`ka_plugins`, the plugin host's). */
  pluginStatuses(): Promise<Map<string, string>>;
}): Router {
  const router = Router();

  router.get('/ka-plugins', allow(...readers), async (_req, res) => {
    const status = await deps.pluginStatuses();
    res.json({
      data: deps.plugins
        .list()
        .map((d) => ({ ...(d as object), status: status.get((d as { name: string }).name) ?? 'available' })),
      nextCursor: null,
    });
  });

  router.get('/ka-configurations', allow(...readers), async (_req, res) => {
    const rows = await deps.store.list(deps.db);
    res.json({ data: rows.map((c) => deps.service.view(c)), nextCursor: null });
  });

  router.post('/ka-configurations', allow(...admins), async (req, res) => {
    const input = validate(createSchema, req.body);
    const created = await deps.service.create(input, actorOf(principalOf(req)));
    res.status(201).json(deps.service.view(created));
  });

  router.get('/ka-configurations/:id', allow(...readers), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    res.json(deps.service.view(await deps.service.get(id)));
  });

  router.patch('/ka-configurations/:id', allow(...admins), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const changes = validate(updateSchema, req.body);
    res.json(deps.service.view(await deps.service.update(id, changes, actorOf(principalOf(req)))));
  });

  router.post('/ka-configurations/:id/test', allow(...operators), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    res.json(await deps.service.test(id, actorOf(principalOf(req))));
  });

  return router;
}

/** The operations of `kaConfigurationRoutes`, for the API document. */
export const kaConfigurationOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/ka-plugins',
    summary: 'The loaded KA plugins with their settings schema',
    roles: readers,
    answer: {
      status: 200,
      description: '`{data}` of plugin definitions with their `status` (`available` or `missing`).',
    },
  },
  {
    method: 'get',
    path: '/ka-configurations',
    summary: 'The KA configurations (one license tab each)',
    roles: readers,
    answer: { status: 200, description: '`{data}` of configurations; secret settings are never answered.' },
  },
  {
    method: 'post',
    path: '/ka-configurations',
    summary: 'Create a KA configuration',
    description:
      'Saving starts a background fetch of the products the KA offers: `fetching_products`, then `configured`.',
    roles: admins,
    body: createSchema,
    answer: { status: 201, description: 'The configuration; secret settings are masked.' },
  },
  {
    method: 'get',
    path: '/ka-configurations/:id',
    summary: 'One KA configuration',
    roles: readers,
    answer: { status: 200, description: 'The configuration; secret settings are masked.' },
  },
  {
    method: 'patch',
    path: '/ka-configurations/:id',
    summary: 'Change a KA configuration',
    description:
      'Sending a secret back as the mask keeps the stored secret. New settings, or enabling a disabled configuration, fetch the products again.',
    roles: admins,
    body: updateSchema,
    answer: { status: 200, description: 'The configuration; secret settings are masked.' },
  },
  {
    method: 'post',
    path: '/ka-configurations/:id/test',
    summary: 'Check connectivity and credentials against the KA',
    roles: operators,
    answer: {
      status: 200,
      description: '`{ok, message}`, and the classified `error` when it failed (secrets masked).',
    },
  },
];
