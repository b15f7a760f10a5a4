import type { ApiClient } from '../api-client.js';

/** A JSON Schema, as the OpenAPI document gives it. */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  minItems?: number;
  default?: unknown;
};

/** One operation of the document, with what a request to it carries. */
export interface DocumentedOperation {
  method: string;
  /** The document's path, e.g. `/orders/{id}/pay`. */
  path: string;
  pathParams: string[];
  query: Array<{ name: string; schema: JsonSchema }>;
  jsonBody?: JsonSchema;
  multipart?: JsonSchema;
  /** `security: []`: called without a token (a signed webhook). */
  noToken: boolean;
}

interface OperationObject {
  parameters?: Array<{ name: string; in: string; schema: JsonSchema }>;
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  security?: unknown[];
}

/** Every operation of `GET /api/v1/openapi.json`, read from the running api. */
export async function documentedOperations(api: ApiClient): Promise<DocumentedOperation[]> {
  const doc = await api.expect<{ paths: Record<string, Record<string, OperationObject>> }>(
    'GET',
    '/api/v1/openapi.json',
    { token: null },
  );
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
      query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
      jsonBody: op.requestBody?.content['application/json']?.schema,
      multipart: op.requestBody?.content['multipart/form-data']?.schema,
      noToken: Array.isArray(op.security) && op.security.length === 0,
    })),
  );
}
