import { type Request, type RequestHandler, type Response, Router } from 'express';
import { z } from 'zod';
import { UnsupportedMediaTypeError } from '../errors/app-error.js';
import { allow } from './access.js';
import type { ApiOperation } from './openapi/api-operation.js';
import { idText } from './params.js';
import { validate } from './validate.js';

/** The names of a path's `:params`: `/licenses/:id/files/:fileId` gives `'id' | 'fileId'`. */
type PathParams<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParams<`/${Rest}`>
  : Path extends `${string}:${infer Name}`
    ? Name
    : never;

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * One route of the JSON API: its operation for the document (path, method, roles, schemas,
 * answer) and, beside it, how it is served. The route is served from this declaration: its
 * roles are the guard, its path's ids, `query` and `body` are validated before the handler
 * runs, and the OpenAPI document is built from the same declaration.
 */
export interface RouteDeclaration<
  Path extends string,
  Query extends z.ZodObject | undefined,
  Body extends z.ZodType | undefined,
> extends Omit<ApiOperation, 'path' | 'query' | 'body'> {
  path: Path;
  query?: Query;
  /**
   * A JSON body. When the route also takes `multipart` and the request is multipart, the
   * handler reads the parts itself (streamed, within the upload limits) and validates them with
   * the `multipart` schema; `body` is then not checked.
   */
  body?: Body;
  /** Reads the body before validation where the API-wide JSON parser does not (a signed callback's raw bytes). */
  bodyParser?: RequestHandler;
}

/** What the handler receives, validated: every path parameter is an id. */
export interface RouteInput<Path extends string, Query, Body> {
  params: { [Name in PathParams<Path>]: number };
  query: Parsed<Query>;
  body: Parsed<Body>;
}

export type RouteHandler<Path extends string, Query, Body> = (
  input: RouteInput<Path, Query, Body>,
  req: Request,
  res: Response,
) => Promise<void> | void;

/** A declared route: its operation (for the document) and the handlers that serve it. */
export interface DeclaredRoute {
  operation: ApiOperation;
  handlers: RequestHandler[];
}

/** A router serving declared routes, carrying their operations for the API document. */
export type DeclaredRouter = Router & { operations: readonly ApiOperation[] };

/** The schema of a path's parameters: ids, as `idParams` reads them (a 400 naming the parameter). */
function paramsSchema(path: string): z.ZodObject {
  return z.object(Object.fromEntries([...path.matchAll(/:(\w+)/g)].map(([, name]) => [name as string, idText])));
}

/** Declares a route with its operation; `declaredRouter` serves it, `openApiDocument` describes it. */
export function defineRoute<
  const Path extends string,
  Query extends z.ZodObject | undefined = undefined,
  Body extends z.ZodType | undefined = undefined,
>(declaration: RouteDeclaration<Path, Query, Body>, handler: RouteHandler<Path, Query, Body>): DeclaredRoute {
  const { bodyParser, ...declared } = declaration;
  // A JSON body names only the fields the route reads: an unknown one is refused, never dropped
  // (`"quantity": 20` silently ignored cost a customer its order), and the document says
  // `additionalProperties: false`. The exported schema stays as written: console forms parse with it.
  const body = (declared.body instanceof z.ZodObject ? declared.body.strict() : declared.body) as Body;
  const operation = { ...declared, body };
  const params = paramsSchema(operation.path);
  const { roles, query, multipart } = operation;
  const accepted = multipart ? ['application/json', 'multipart/form-data'] : ['application/json'];
  const serve: RequestHandler = async (req, res) => {
    // No body (none, or an empty one: `content-length: 0`) reads as `{}`, which a route with every
    // field optional takes; a body of another type is refused rather than read as nothing.
    const empty = req.headers['transfer-encoding'] === undefined && Number(req.headers['content-length'] ?? 0) === 0;
    if (body && !empty && req.is(accepted) === false)
      throw new UnsupportedMediaTypeError(`Send the body as ${accepted.join(' or ')}`, {
        details: { contentType: req.get('content-type') ?? null, accepted },
      });
    const input = {
      params: validate(params, req.params, 'params'),
      query: query ? validate(query, req.query, 'query') : undefined,
      body: body && !(multipart && req.is('multipart/form-data')) ? validate(body, req.body) : undefined,
    } as RouteInput<Path, Query, Body>;
    await handler(input, req, res);
  };
  const guard = Array.isArray(roles) ? [allow(...roles)] : [];
  return { operation, handlers: [...guard, ...(bodyParser ? [bodyParser] : []), serve] };
}

/** A router serving these routes in order, with their operations. */
export function declaredRouter(routes: DeclaredRoute[]): DeclaredRouter {
  const router = Router();
  for (const { operation, handlers } of routes) router[operation.method](operation.path, ...handlers);
  return Object.assign(router, { operations: routes.map((r) => r.operation) });
}
