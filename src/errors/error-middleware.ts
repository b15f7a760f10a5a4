import type { ErrorRequestHandler, RequestHandler } from 'express';
import type {} from 'pino-http';
import { isLockConflict, isUniqueViolation } from '../infra/db/transaction.js';
import { AppError, NotFoundError } from './app-error.js';

interface HttpParserError {
  type?: string;
  status: number;
  expose?: boolean;
  message: string;
}

function isParserError(err: unknown): err is HttpParserError {
  return (
    typeof err === 'object' && err !== null && 'type' in err && typeof (err as HttpParserError).status === 'number'
  );
}

/** Body-parser errors (oversize, bad JSON) mapped to our error shape. */
function fromParser(err: HttpParserError): { status: number; code: string; message: string } {
  if (err.type === 'entity.too.large')
    return { status: 413, code: 'payload_too_large', message: 'Request body is too large' };
  if (err.type === 'entity.parse.failed')
    return { status: 400, code: 'invalid_json', message: 'Request body is not valid JSON' };
  return { status: err.status, code: err.type ?? 'bad_request', message: err.expose ? err.message : 'Bad request' };
}

export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new NotFoundError('route', `${req.method} ${req.path}`));
};

/** The one place errors become HTTP answers. Unknown errors are logged and answered 500 without detail. */
export const errorMiddleware: ErrorRequestHandler = (err, req, res, _next) => {
  if (err instanceof AppError) {
    req.log?.[err.logLevel]({ err: { code: err.code, message: err.message } }, 'request failed');
    res.status(err.status).json({ error: { code: err.code, message: err.message, details: err.details ?? {} } });
    return;
  }
  if (isParserError(err) && err.status < 500) {
    const mapped = fromParser(err);
    res.status(mapped.status).json({ error: { code: mapped.code, message: mapped.message, details: {} } });
    return;
  }
  // Two requests wrote the same unique value at the same moment (a check-then-insert lost its
  // race), or the database broke a lock conflict: nothing was written, and asking again answers.
  if (isUniqueViolation(err) || isLockConflict(err)) {
    req.log?.warn({ err: { code: (err as { code?: string }).code } }, 'request lost a race');
    res.status(409).json({
      error: {
        code: 'conflict',
        message: 'Another request changed the same record at the same moment; nothing was written. Ask again.',
        details: {},
      },
    });
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res.status(500).json({ error: { code: 'internal', message: 'Internal error', details: {} } });
};
