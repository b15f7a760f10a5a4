import type { ErrorRequestHandler, RequestHandler } from 'express';
import { h } from 'preact';
import { AppError } from '../errors/app-error.js';
import { ErrorPage } from './pages/error-page.js';
import { sendPage } from './render.js';
import { viewContext } from './view-context.js';

/** Unknown console paths get a page, not the API's JSON. */
export const webNotFound: RequestHandler = (req, res) => {
  sendPage(res, h(ErrorPage, { ctx: viewContext(req), status: 404, message: `There is no page at ${req.path}.` }), 404);
};

/**
 * Console errors as pages: a refused action (403) says which role it needs, a conflict says
 * why the state does not allow it. Unexpected errors are logged and shown without detail.
 */
export const webErrorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const ctx = viewContext(req);
  if (err instanceof AppError) {
    req.log?.[err.logLevel]({ err: { code: err.code, message: err.message } }, 'console request refused');
    sendPage(res, h(ErrorPage, { ctx, status: err.status, message: err.message }), err.status);
    return;
  }
  const status =
    typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number'
      ? (err as { status: number }).status
      : 500;
  if (status >= 400 && status < 500) {
    sendPage(
      res,
      h(ErrorPage, { ctx, status, message: 'The request could not be read (too large or malformed).' }),
      status,
    );
    return;
  }
  req.log?.error({ err }, 'console error');
  sendPage(
    res,
    h(ErrorPage, {
      ctx,
      status: 500,
      message: 'Something went wrong on our side. The error is logged; please try again.',
    }),
    500,
  );
};
