import express, { type Express, type RequestHandler, type Router } from 'express';
import { pinoHttp } from 'pino-http';
import type { AppContext } from './app-context.js';
import { errorMiddleware, notFoundRoute } from './errors/error-middleware.js';
import { apiResponseHeaders } from './http/api-headers.js';
import { httpMetrics } from './http/http-metrics.js';
import { traceRequests } from './http/trace-requests.js';
import { currentTrace } from './infra/trace/trace-context.js';
import { observability } from './observability.js';
import type { DeclaredRouter } from './http/route-declaration.js';
import { openApiDocument } from './http/openapi/openapi-document.js';
import packageJson from '../package.json' with { type: 'json' };

export interface AppRoutes {
  /** Mounted under /api/v1 before bearer authentication: routes declared with roles `none` (signed callbacks). */
  publicApi: DeclaredRouter[];
  /** Bearer authentication, between the two. */
  authenticate: RequestHandler;
  /** Mounted under /api/v1 behind bearer authentication, in this order. */
  api: DeclaredRouter[];
  /** The staff console, mounted at /. */
  web?: Router;
}

/** Express wiring only: no listening, no jobs. */
export function createApp(context: AppContext, routes: AppRoutes): Express {
  const app = express();
  app.disable('x-powered-by');
  // req.ip and req.secure read proxy headers only from the proxies the configuration names.
  app.set('trust proxy', context.config.trustProxy);
  app.use(traceRequests());
  app.use(
    pinoHttp({
      logger: context.logger,
      genReqId: () => currentTrace()?.requestId ?? '',
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
      // One compact line per request: what was asked, from where, and how it went. Headers stay
      // out: serializing and redacting them on every request cost more than the rest of the line.
      serializers: {
        req: (req: {
          id: unknown;
          method: string;
          url: string;
          remoteAddress?: string;
          headers: Record<string, unknown>;
        }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          remoteAddress: req.remoteAddress,
          userAgent: req.headers['user-agent'],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(httpMetrics(context.metrics));
  app.use(observability(context));

  // The document is built from the same declarations the routes are served from; only where a
  // route is mounted (before or behind authentication) is chosen here, so it must match its roles.
  const misplaced = [
    ...routes.publicApi.flatMap((r) => r.operations.filter((op) => op.roles !== 'none')),
    ...routes.api.flatMap((r) => r.operations.filter((op) => op.roles === 'none')),
  ];
  if (misplaced.length)
    throw new Error(
      `Routes mounted on the wrong side of authentication: ${misplaced.map((op) => `${op.method.toUpperCase()} ${op.path}`).join(', ')}`,
    );
  const operations = [...routes.api, ...routes.publicApi].flatMap((r) => r.operations);
  // Built on first request: a few milliseconds every process would otherwise spend at start.
  let document: ReturnType<typeof openApiDocument> | undefined;

  const api = express.Router();
  api.use(apiResponseHeaders);
  api.get('/openapi.json', (_req, res) => {
    document ??= openApiDocument(operations, { version: packageJson.version });
    res.json(document);
  });
  for (const router of routes.publicApi) api.use(router);
  api.use(express.json({ limit: '256kb' }));
  api.use(routes.authenticate);
  for (const router of routes.api) api.use(router);
  api.use(notFoundRoute);
  app.use('/api/v1', api);

  if (routes.web) app.use(routes.web);
  app.use(notFoundRoute);
  app.use(errorMiddleware);
  return app;
}
