import { z } from 'zod';
import { assertSchemaFits, isoTime, jsonObject } from '../../http/response-schema.js';
import { type KaPluginDefinition, kaCapabilities } from '../../plugin-sdk/plugin-definition.js';
import type { KaConfigurationView } from './ka-configuration-service.js';

const settingValue = z.union([z.string(), z.number(), z.boolean()]);

/** A KA configuration as the API answers it: secret settings are the mask, never the value. */
export const kaConfigurationSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  plugin: z.string(),
  pluginStatus: z.enum(['available', 'missing']),
  settings: z.record(z.string(), settingValue).describe('Secret settings answer `********`.'),
  enabled: z.boolean(),
  status: z.enum(['fetching_products', 'configured', 'failing', 'plugin_missing']),
  products: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      features: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
  ),
  allowedProducts: z.array(z.string()).nullable(),
  lastError: jsonObject.nullable(),
  productsFetchedAt: isoTime.nullable(),
  syncCallsPerSecond: z.number().nullable().describe('Key reads per second of the scheduled sync, per worker.'),
  createdAt: isoTime,
  updatedAt: isoTime,
});
assertSchemaFits<typeof kaConfigurationSchema, KaConfigurationView>();

/** A loaded KA plugin's definition: what a configuration of it needs and what it can do. */
export const kaPluginSchema = z.object({
  name: z.string(),
  displayName: z.string(),
  version: z.string(),
  description: z.string().optional(),
  settings: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      type: z.enum(['string', 'url', 'integer', 'boolean']),
      required: z.boolean().optional(),
      secret: z.boolean().optional(),
      default: settingValue.optional(),
      description: z.string().optional(),
      min: z.number().optional(),
      max: z.number().optional(),
    }),
  ),
  capabilities: z.array(z.enum(kaCapabilities)),
});
assertSchemaFits<typeof kaPluginSchema, KaPluginDefinition>();

/** `GET /ka-plugins` item: the definition and whether the plugin is still loaded. */
export const kaPluginListItemSchema = kaPluginSchema.extend({ status: z.string() });

/** The connection test's outcome; `error` is the classified KA error, secrets scrubbed. */
export const kaConnectionTestSchema = z.object({ ok: z.boolean(), message: z.string(), error: jsonObject.optional() });
