export type LogLevel = 'warn' | 'error' | 'info';

export interface AppErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error hierarchy of Keyway. Routes and services throw these; the error middleware
 * turns them into `{error: {code, message, details}}` with the status they carry.
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  readonly logLevel: LogLevel = 'info';
  readonly details?: Record<string, unknown>;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
  }
}

/** Input that does not fit the route's schema; `details.fields` names each bad field. */
/** One bad field of a request: its path (`licenseProducts.0.configurationId`) and what is wrong with it. */
export interface FieldProblem {
  field: string;
  message: string;
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly code = 'validation_failed';

  /**
   * The one shape of a refused input: `Invalid <where>: <first field>: <what is wrong>`, with
   * every bad field in `details.fields`. `summary` says the first problem at more length than
   * its field message (default: the field message).
   */
  static forFields(
    fields: FieldProblem[],
    options: { where?: 'body' | 'query' | 'params' | 'header'; summary?: string } = {},
  ): ValidationError {
    const where = options.where ?? 'body';
    const first = fields[0];
    const message = first
      ? `Invalid ${where}: ${first.field}: ${options.summary ?? first.message}`
      : `Invalid ${where}`;
    return new ValidationError(message, { details: { fields } });
  }
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly code = 'unauthorized';
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = 'forbidden';
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor(entity: string, id: string | number) {
    super(`${entity} ${id} does not exist`, { details: { entity, id: String(id) } });
  }
}

/** The request is valid but the resource's state does not allow it now. */
export class ConflictError extends AppError {
  readonly status = 409;
  readonly code: string;
  constructor(message: string, code = 'conflict', options: AppErrorOptions = {}) {
    super(message, options);
    this.code = code;
  }
}

/** Well-formed, but it contradicts what the same request said before (an idempotency key reused for another request). */
export class UnprocessableError extends AppError {
  readonly status = 422;
  readonly code: string;
  constructor(message: string, code = 'unprocessable', options: AppErrorOptions = {}) {
    super(message, options);
    this.code = code;
  }
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

/** A dependency (KA, webhook target) failed; the client may try again later. */
export class UpstreamError extends AppError {
  readonly status = 502;
  readonly code = 'upstream_failed';
  override readonly logLevel = 'warn';
}
