import type { Request, Response } from 'express';
import multer from 'multer';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../errors/app-error.js';
import type { UploadLimits } from './upload-options.js';
import type { UploadedFile } from './uploaded-file.js';

/** The parsed multipart body: text fields and files (still in memory, nothing stored). */
export interface MultipartBody {
  fields: Record<string, unknown>;
  files: UploadedFile[];
}

/** The field that carries the license files. */
export const filesField = 'files';

function multerProblem(err: unknown, limits: UploadLimits): Error {
  if (err instanceof multer.MulterError) {
    const where = err.field ? (err.field === filesField ? filesField : err.field) : filesField;
    switch (err.code) {
      case 'LIMIT_FILE_SIZE':
        return new PayloadTooLargeError(`${where}: a file may have at most ${limits.maxFileBytes} bytes`, {
          details: { fields: [{ field: where, message: `larger than ${limits.maxFileBytes} bytes` }] },
        });
      case 'LIMIT_FILE_COUNT':
        return ValidationError.forFields([{ field: filesField, message: `at most ${limits.maxFiles} files` }], {
          summary: `at most ${limits.maxFiles} files per upload`,
        });
      case 'LIMIT_UNEXPECTED_FILE':
        return ValidationError.forFields([{ field: where, message: `unexpected file field; use ${filesField}` }], {
          summary: `files go in the field "${filesField}"`,
        });
      case 'LIMIT_FIELD_VALUE':
        return new PayloadTooLargeError(`${where}: a field may have at most ${limits.maxFieldBytes} bytes`, {
          details: { fields: [{ field: where, message: 'too long' }] },
        });
      default:
        return ValidationError.forFields([{ field: where, message: err.message }]);
    }
  }
  return ValidationError.forFields([{ field: filesField, message: 'malformed multipart body' }], {
    summary:
      'the multipart body is malformed (a part header that cannot be read, such as a control character in a file name) or empty',
  });
}

/**
 * Reads a multipart upload into memory within the limits: multer's memory storage aborts
 * a file past its size and an upload past its count while streaming, and a declared body
 * larger than allowed is refused before reading. Paths in file names are kept (not
 * stripped) so the checks can refuse them instead of silently renaming.
 */
export function multipartReader(limits: UploadLimits): (req: Request, res: Response) => Promise<MultipartBody> {
  const upload = multer({
    storage: multer.memoryStorage(),
    preservePath: true,
    defParamCharset: 'utf8',
    limits: {
      fileSize: limits.maxFileBytes,
      files: limits.maxFiles,
      fieldSize: limits.maxFieldBytes,
      fields: 20,
      parts: limits.maxFiles + 20,
    },
  }).array(filesField, limits.maxFiles);
  return (req, res) => {
    if (!req.is('multipart/form-data')) {
      return Promise.reject(
        new UnsupportedMediaTypeError('Send the upload as multipart/form-data with the files in the field "files"', {
          details: { fields: [{ field: 'body', message: 'not multipart/form-data' }] },
        }),
      );
    }
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > limits.maxRequestBytes) {
      return Promise.reject(
        new PayloadTooLargeError(`An upload may have at most ${limits.maxRequestBytes} bytes`, {
          details: { fields: [{ field: filesField, message: 'too large in total' }] },
        }),
      );
    }
    return new Promise((resolve, reject) => {
      upload(req, res, (err?: unknown) => {
        if (err) return reject(multerProblem(err, limits));
        const files = (Array.isArray(req.files) ? req.files : []).map((f) => ({
          fileName: f.originalname,
          contentType: f.mimetype,
          content: f.buffer,
        }));
        resolve({ fields: { ...(req.body as Record<string, unknown>) }, files });
      });
    });
  };
}
