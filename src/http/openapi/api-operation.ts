import type { z } from 'zod';
import type { RoleName } from '../../kernel/principal.js';

/**
 * One route of the JSON API, as the OpenAPI document describes it. It is the declaration a
 * route is served from (`defineRoute` in `http/route-declaration.ts`): its roles are the route's
 * guard and its schemas what the route validates, so the document cannot drift from the API.
 */
export interface ApiOperation {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** The Express path under `/api/v1`, e.g. `/orders/:id/pay`. */
  path: string;
  summary: string;
  /** More than the summary: rules, idempotency, side effects. */
  description?: string;
  /**
   * Who may call it: these roles (the route's guard; shared actions name their entry of `kernel/permissions.ts`), `any` authenticated caller (the
   * handler limits what each one sees), or `none`: no token (a signed webhook).
   */
  roles: RoleName[] | 'any' | 'none';
  /** Request headers the operation reads (beside `Authorization`), as validated. */
  headers?: z.ZodObject;
  /** Query parameters, as validated. */
  query?: z.ZodObject;
  /** A JSON body, as validated. */
  body?: z.ZodType;
  /** Fields of a multipart/form-data body beside its `files`, as validated. */
  multipart?: z.ZodObject;
  /**
   * The success status and what its answer holds: `schema` describes a JSON answer (the entity's
   * response schema, defined once beside its type); a file answer names its `contentType` instead.
   */
  answer: { status: 200 | 201; description: string; contentType?: string; schema?: z.ZodType };
}
