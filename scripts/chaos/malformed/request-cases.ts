import { badIds, badQueryValues, badValuesFor } from './bad-values.js';
import type { DocumentedOperation, JsonSchema } from './openapi-operations.js';
import { absentId, exampleOf } from './schema-examples.js';

/** One malformed request to send. */
export interface RequestCase {
  /** `POST /orders/{id}/pay`. */
  operation: string;
  label: string;
  method: string;
  /** Path and query, under the API's base URL. */
  path: string;
  rawBody?: string | Buffer | FormData;
  contentType?: string;
  /** `null`: no token; unset: the admin token. */
  token?: string | null;
  headers?: Record<string, string>;
  /** A malformed path id: the database must not change, whatever the answer. */
  idProbe?: { spellsExisting: boolean };
}

type FieldPath = Array<string | number>;

const PLACEHOLDER = '"__chaos_bad_value__"';

/** Paths of the fields of a body, down to `depth` levels (array items by their first element). */
function fieldPaths(
  schema: JsonSchema | undefined,
  depth = 3,
  prefix: FieldPath = [],
): Array<{ path: FieldPath; schema: JsonSchema }> {
  if (!schema || depth === 0) return [];
  const object = schema.oneOf?.[0] ?? schema.anyOf?.find((o) => o.type === 'object') ?? schema;
  return Object.entries(object.properties ?? {}).flatMap(([name, field]) => {
    const path = [...prefix, name];
    const items = field.items;
    const nested =
      field.type === 'object' && field.properties
        ? fieldPaths(field, depth - 1, path)
        : items?.type === 'object'
          ? fieldPaths(items, depth - 1, [...path, 0])
          : [];
    return [{ path, schema: field }, ...nested];
  });
}

/** The schema at a path, to build a missing parent the way the API expects it. */
function schemaAt(root: JsonSchema | undefined, path: FieldPath): JsonSchema | undefined {
  let current = root?.oneOf?.[0] ?? root;
  for (const step of path) current = typeof step === 'number' ? current?.items : current?.properties?.[step];
  return current;
}

/** The example body with the value at `path` replaced by the placeholder (parents created as needed). */
function withPlaceholder(root: JsonSchema | undefined, path: FieldPath): string {
  const body = structuredClone(exampleOf(root)) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = body;
  path.forEach((step, i) => {
    if (i === path.length - 1) {
      node[step] = '__chaos_bad_value__';
      return;
    }
    if (
      node[step] === undefined ||
      node[step] === null ||
      (Array.isArray(node[step]) && (node[step] as unknown[]).length === 0 && typeof path[i + 1] === 'number')
    ) {
      const parent = schemaAt(root, path.slice(0, i + 1));
      node[step] = typeof path[i + 1] === 'number' ? [exampleOf(parent?.items)] : exampleOf(parent);
    }
    node = node[step] as Record<string | number, unknown>;
  });
  return JSON.stringify(body);
}

function fill(path: string, ids: Record<string, number>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => String(ids[name] ?? absentId));
}

/** Bodies wrong as a whole: not JSON, not an object, too deep, too big, or sent as something else. */
function wholeBodyCases(example: string): Array<Pick<RequestCase, 'label' | 'rawBody' | 'contentType'>> {
  const form = new FormData();
  form.append('field', 'value');
  return [
    { label: 'invalid JSON', rawBody: '{"a":', contentType: 'application/json' },
    { label: 'empty JSON body', rawBody: '', contentType: 'application/json' },
    { label: 'JSON null', rawBody: 'null', contentType: 'application/json' },
    { label: 'JSON array', rawBody: '[]', contentType: 'application/json' },
    { label: 'JSON string', rawBody: '"text"', contentType: 'application/json' },
    { label: 'JSON number', rawBody: '123', contentType: 'application/json' },
    {
      label: 'arrays nested 100,000 deep',
      rawBody: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      contentType: 'application/json',
    },
    {
      label: 'duplicate keys',
      rawBody: example.replace(/^\{/, '{"__dup":1,"__dup":2,'),
      contentType: 'application/json',
    },
    { label: 'example sent as text/plain', rawBody: example, contentType: 'text/plain' },
    { label: 'example sent as a form', rawBody: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
    { label: 'example sent as XML', rawBody: '<?xml version="1.0"?><a>1</a>', contentType: 'application/xml' },
    { label: 'multipart to a JSON route', rawBody: form },
    { label: 'JSON declared UTF-16', rawBody: example, contentType: 'application/json; charset=utf-16' },
    {
      label: '300 KiB body',
      rawBody: JSON.stringify({ filler: 'z'.repeat(300 * 1024) }),
      contentType: 'application/json',
    },
  ];
}

/**
 * Every malformed request for one operation: each field of its body wrong in each way (one at
 * a time, the rest plausible), each required field missing, unknown fields, wrong bodies as
 * a whole, each query parameter wrong, no or a bad token, and its path ids spelled wrong.
 * Ids in paths point at nothing except in the id probes, which use `existingIds`.
 */
export function requestCases(
  op: DocumentedOperation,
  options: { short: boolean; existingIds: Record<string, number> },
): RequestCase[] {
  const operation = `${op.method} ${op.path}`;
  const path = fill(op.path, {});
  const cases: RequestCase[] = [];
  const add = (c: Omit<RequestCase, 'operation' | 'method'> & { method?: string }) =>
    cases.push({ operation, method: op.method, ...c });
  const example = JSON.stringify(exampleOf(op.jsonBody));
  const token = op.noToken ? null : undefined;

  if (op.jsonBody) {
    for (const field of fieldPaths(op.jsonBody)) {
      const template = withPlaceholder(op.jsonBody, field.path);
      for (const bad of badValuesFor(field.schema, options.short)) {
        add({
          label: `${field.path.join('.')} = ${bad.label}`,
          path,
          rawBody: template.replace(PLACEHOLDER, bad.json),
          contentType: 'application/json',
          token,
        });
      }
    }
    const base = exampleOf(op.jsonBody) as Record<string, unknown>;
    for (const required of op.jsonBody.required ?? []) {
      const { [required]: _missing, ...rest } = base;
      add({
        label: `without ${required}`,
        path,
        rawBody: JSON.stringify(rest),
        contentType: 'application/json',
        token,
      });
    }
    add({
      label: 'an unknown field',
      path,
      rawBody: JSON.stringify({ ...base, zzUnknown: 1 }),
      contentType: 'application/json',
      token,
    });
    add({
      label: 'a __proto__ field',
      path,
      rawBody: example.replace(/^\{/, '{"__proto__":{"isAdmin":true},'),
      contentType: 'application/json',
      token,
    });
    add({
      label: 'a constructor field',
      path,
      rawBody: JSON.stringify({ ...base, constructor: { prototype: { isAdmin: true } } }),
      contentType: 'application/json',
      token,
    });
  }
  if (op.method !== 'GET') for (const whole of wholeBodyCases(example)) add({ ...whole, path, token });

  for (const param of op.query) {
    for (const bad of badQueryValues.filter((v) => !options.short || v.short))
      add({ label: `?${param.name}=${bad.label}`, path: `${path}?${param.name}=${bad.raw}` });
    add({ label: `?${param.name} twice`, path: `${path}?${param.name}=1&${param.name}=2` });
    add({ label: `?${param.name}[a]=1`, path: `${path}?${param.name}[a]=1` });
  }
  if (op.query.length) add({ label: 'an unknown query parameter', path: `${path}?zzUnknown=1` });

  if (op.noToken) {
    add({
      label: 'a forged signature',
      path,
      rawBody: example,
      contentType: 'application/json',
      token: null,
      headers: { 'x-keyway-signature': 'sha256=00' },
    });
  } else {
    add({ label: 'no token', path, token: null });
    add({ label: 'a 10,000-character token', path, token: 'k'.repeat(10_000) });
  }

  for (const param of op.pathParams) {
    const existing = options.existingIds[param === 'id' ? resourceOf(op.path) : `${resourceOf(op.path)}.${param}`];
    if (existing === undefined) continue;
    for (const bad of badIds(existing)) {
      const ids = Object.fromEntries(
        op.pathParams.map((p) => [
          p,
          options.existingIds[p === 'id' ? resourceOf(op.path) : `${resourceOf(op.path)}.${p}`] ?? absentId,
        ]),
      );
      const probePath = op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
        name === param ? bad.raw : String(ids[name]),
      );
      add({
        label: `${param} = ${bad.label}`,
        path: probePath,
        rawBody: op.method === 'GET' ? undefined : example,
        contentType: op.method === 'GET' ? undefined : 'application/json',
        token,
        idProbe: { spellsExisting: bad.spellsExisting },
      });
    }
  }
  return cases;
}

/** The resource a path's `{id}` names: its first segment (`/orders/{id}/pay` → `orders`). */
export function resourceOf(path: string): string {
  return path.split('/')[1] ?? '';
}
