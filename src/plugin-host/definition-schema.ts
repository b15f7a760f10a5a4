import { z } from 'zod';
import { kaCapabilities } from '../plugin-sdk/plugin-definition.js';

const settingSchema = z.object({
  name: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'camelCase'),
  label: z.string().min(1),
  type: z.enum(['string', 'url', 'integer', 'boolean']),
  required: z.boolean().optional(),
  secret: z.boolean().optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  description: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});

/** What the plugin host accepts as a plugin's definition. */
export const definitionSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{1,99}$/, 'lower-case kebab-case'),
    displayName: z.string().min(1).max(200),
    version: z.string().regex(/^\d+\.\d+\.\d+(-[\w.]+)?$/, 'semver'),
    description: z.string().optional(),
    settings: z.array(settingSchema),
    capabilities: z.array(z.enum(kaCapabilities)),
  })
  .superRefine((d, ctx) => {
    const names = d.settings.map((s) => s.name);
    if (new Set(names).size !== names.length)
      ctx.addIssue({ code: 'custom', path: ['settings'], message: 'setting names must be unique' });
  });

/** What the plugin host accepts as a plugin's reference KA declaration (its `start` is checked apart). */
export const referenceKaSchema = z.object({
  label: z.string().trim().min(1).max(40),
  demoOrder: z.object({
    product: z.string().trim().min(1).max(120),
    quantity: z.number().int().min(1).max(100_000).optional(),
    features: z.array(z.string().trim().min(1).max(120)).max(50).optional(),
  }),
});
