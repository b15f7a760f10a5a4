import { z } from 'zod';
import type { Db } from '../../infra/db/database.js';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { permissions } from '../../kernel/permissions.js';
import { actorOf, readers } from '../../kernel/principal.js';
import type { KaAdapterProvider } from './ka-adapter-provider.js';
import type { KaConfigurationService } from './ka-configuration-service.js';
import type { KaConfigurationStore } from './ka-configuration-store.js';
import { pageSchema } from '../../http/response-schema.js';
import { kaConfigurationSchema, kaConnectionTestSchema, kaPluginListItemSchema } from './ka-configuration-schema.js';
import type { KaPluginDefinition } from '../../plugin-sdk/plugin-definition.js';

const name = z.string().trim().min(1).max(120);
const settings = z.record(z.string(), z.unknown());
const allowedProducts = z.array(z.string().trim().min(1).max(120)).max(500).nullable();

/** Key reads per second per worker for the scheduled sync (KAs rate-limit); null: the default, 5. */
const syncCallsPerSecond = z.number().int().min(1).max(1000).nullable();

const createSchema = z.object({
  name,
  plugin: z.string().min(1).max(100),
  settings: settings.default({}),
  enabled: z.boolean().default(true),
  allowedProducts: allowedProducts.default(null),
  syncCallsPerSecond: syncCallsPerSecond.default(null),
});
const updateSchema = z
  .object({
    name: name.optional(),
    settings: settings.optional(),
    enabled: z.boolean().optional(),
    allowedProducts: allowedProducts.optional(),
    syncCallsPerSecond: syncCallsPerSecond.optional(),
  })
  .strict();

export function kaConfigurationRoutes(deps: {
  db: Db;
  store: KaConfigurationStore;
  service: KaConfigurationService;
  plugins: KaAdapterProvider & { list(): KaPluginDefinition[] };
  /** The status of each plugin by name (`ka_plugins`, the plugin host's). */
  pluginStatuses(): Promise<Map<string, string>>;
}): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'get',
        path: '/ka-plugins',
        summary: 'The loaded KA plugins with their settings schema',
        roles: readers,
        answer: {
          status: 200,
          description: '`{data}` of plugin definitions with their `status` (`available` or `missing`).',
          schema: pageSchema(kaPluginListItemSchema),
        },
      },
      async (_input, _req, res) => {
        const status = await deps.pluginStatuses();
        res.json({
          data: deps.plugins.list().map((d) => ({ ...d, status: status.get(d.name) ?? 'available' })),
          nextCursor: null,
        });
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/ka-configurations',
        summary: 'The KA configurations (one license tab each)',
        roles: readers,
        answer: {
          status: 200,
          description: '`{data}` of configurations; secret settings are never answered.',
          schema: pageSchema(kaConfigurationSchema),
        },
      },
      async (_input, _req, res) => {
        const rows = await deps.store.list(deps.db);
        res.json({ data: rows.map((c) => deps.service.view(c)), nextCursor: null });
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/ka-configurations',
        summary: 'Create a KA configuration',
        description:
          'Saving starts a background fetch of the products the KA offers: `fetching_products`, then `configured`.',
        roles: permissions.configureKa,
        body: createSchema,
        answer: {
          status: 201,
          description: 'The configuration; secret settings are masked.',
          schema: kaConfigurationSchema,
        },
      },
      async ({ body }, req, res) => {
        const created = await deps.service.create(body, actorOf(principalOf(req)));
        res.status(201).json(deps.service.view(created));
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/ka-configurations/:id',
        summary: 'One KA configuration',
        roles: readers,
        answer: {
          status: 200,
          description: 'The configuration; secret settings are masked.',
          schema: kaConfigurationSchema,
        },
      },
      async ({ params: { id } }, _req, res) => {
        res.json(deps.service.view(await deps.service.get(id)));
      },
    ),
    defineRoute(
      {
        method: 'patch',
        path: '/ka-configurations/:id',
        summary: 'Change a KA configuration',
        description:
          'Sending a secret back as the mask keeps the stored secret. New settings, or enabling a disabled configuration, fetch the products again.',
        roles: permissions.configureKa,
        body: updateSchema,
        answer: {
          status: 200,
          description: 'The configuration; secret settings are masked.',
          schema: kaConfigurationSchema,
        },
      },
      async ({ params: { id }, body }, req, res) => {
        res.json(deps.service.view(await deps.service.update(id, body, actorOf(principalOf(req)))));
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/ka-configurations/:id/test',
        summary: 'Check connectivity and credentials against the KA',
        roles: permissions.testKaConfiguration,
        answer: {
          status: 200,
          description: '`{ok, message}`, and the classified `error` when it failed (secrets masked).',
          schema: kaConnectionTestSchema,
        },
      },
      async ({ params: { id } }, req, res) => {
        res.json(await deps.service.test(id, actorOf(principalOf(req))));
      },
    ),
  ]);
}
