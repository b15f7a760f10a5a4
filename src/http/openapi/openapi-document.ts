import { z } from 'zod';
import type { ApiOperation } from './api-operation.js';

type JsonSchema = Record<string, unknown>;

/** The JSON Schema of what a client sends (the input side of transforms and defaults). */
function schemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return json;
}

function pathParameters(path: string): JsonSchema[] {
  return [...path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'integer', minimum: 1 },
  }));
}

function objectParameters(object: z.ZodObject | undefined, where: 'query' | 'header'): JsonSchema[] {
  if (!object) return [];
  const json = schemaOf(object) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: where,
    required: json.required?.includes(name) ?? false,
    schema,
  }));
}

function requestBody(op: ApiOperation): JsonSchema | undefined {
  const content: Record<string, JsonSchema> = {};
  if (op.body) content['application/json'] = { schema: schemaOf(op.body) };
  if (op.multipart) {
    const fields = schemaOf(op.multipart) as { properties?: Record<string, JsonSchema>; required?: string[] };
    content['multipart/form-data'] = {
      schema: {
        type: 'object',
        properties: { ...fields.properties, files: { type: 'array', items: { type: 'string', format: 'binary' } } },
        required: [...(fields.required ?? []), 'files'],
      },
    };
  }
  return Object.keys(content).length ? { required: true, content } : undefined;
}

function operationObject(op: ApiOperation): JsonSchema {
  const parameters = [
    ...pathParameters(op.path),
    ...objectParameters(op.query, 'query'),
    ...objectParameters(op.headers, 'header'),
  ];
  const body = requestBody(op);
  const who =
    op.roles === 'none'
      ? 'No token: the request is signed.'
      : op.roles === 'any'
        ? 'Any token; each caller sees what is within its reach.'
        : `Roles: ${op.roles.join(', ')}.`;
  return {
    summary: op.summary,
    description: [op.description, who].filter(Boolean).join('\n\n'),
    'x-roles': op.roles,
    ...(op.roles === 'none' ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: {
      [String(op.answer.status)]: {
        description: op.answer.description,
        content: { [op.answer.contentType ?? 'application/json']: { schema: {} } },
      },
      '4XX': { $ref: '#/components/responses/Error' },
    },
  };
}

/** The OpenAPI 3.1 document of the JSON API under `/api/v1`, built from its operations. */
export function openApiDocument(operations: ApiOperation[], info: { version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of operations) {
    const path = op.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [op.method]: operationObject(op) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Keyway API',
      version: info.version,
      description:
        'License provisioning for hosting and cloud service providers. Lists answer `{data, nextCursor}`: pass `cursor` for the next page.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: {
        Error: {
          description:
            'Bad input (400, with `details.fields` naming each field), no or a bad token (401), a role that may not (403), not found (404), a state that does not allow it (409), an idempotency key reused for another request (422).',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['error'],
                properties: {
                  error: {
                    type: 'object',
                    required: ['code', 'message', 'details'],
                    properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}
