import { z } from 'zod';
import type { ApiOperation } from './api-operation.js';
import { errorAnswers, errorAnswersOf, errorBodySchema, validationErrorBodySchema } from './error-answers.js';

type JsonSchema = Record<string, unknown>;

/** The JSON Schema of what a client sends (the input side of transforms and defaults). */
function schemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return json;
}

/** The JSON Schema of what the API answers (the output side). */
function answerSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
  return json;
}

function answerContent(op: ApiOperation): JsonSchema {
  // A file answer is its bytes; a JSON answer is described by its schema (the document test
  // fails an operation without one).
  if (op.answer.contentType) return { [op.answer.contentType]: { schema: { type: 'string', format: 'binary' } } };
  return { 'application/json': { schema: op.answer.schema ? answerSchemaOf(op.answer.schema) : {} } };
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
      [String(op.answer.status)]: { description: op.answer.description, content: answerContent(op) },
      ...Object.fromEntries(
        errorAnswersOf(op).map((name) => [
          String(errorAnswers[name].status),
          { $ref: `#/components/responses/${name}` },
        ]),
      ),
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
      schemas: { Error: answerSchemaOf(errorBodySchema), ValidationError: answerSchemaOf(validationErrorBodySchema) },
      responses: Object.fromEntries(
        Object.entries(errorAnswers).map(([name, answer]) => [
          name,
          {
            description: answer.description,
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${answer.schema}` } } },
          },
        ]),
      ),
    },
  };
}
