import type { JsonSchema } from './openapi-operations.js';

/** An id that is well formed and names nothing, so a body that validates by accident changes nothing. */
export const absentId = 2_147_483_000;

/**
 * A plausible value for a schema: the base that one bad field at a time is put into, so each
 * request is wrong in exactly one place. Ids point at nothing (`absentId`).
 */
export function exampleOf(schema: JsonSchema | undefined, name = ''): unknown {
  if (!schema) return {};
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const options = schema.oneOf ?? schema.anyOf;
  if (options?.length) return exampleOf(options.find((o) => o.type !== 'null') ?? options[0], name);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = exampleOf(schema.properties?.[key], key);
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => exampleOf(schema.items, name));
    case 'integer':
    case 'number':
      if (/id$/i.test(name)) return absentId;
      return schema.minimum ?? (schema.exclusiveMinimum === undefined ? 1 : schema.exclusiveMinimum + 1);
    case 'boolean':
      return false;
    case 'string':
      if (schema.format === 'email') return 'chaos@example.com';
      if (schema.format === 'uri') return 'http://127.0.0.1:9/';
      if (schema.format === 'date-time') return '2030-01-01T00:00:00Z';
      if (schema.format === 'date') return '2030-01-01';
      return 'chaos1'.padEnd(schema.minLength ?? 1, 'x');
    default:
      return 'chaos1';
  }
}
