import { AppError } from '../../errors/app-error.js';

/** One way an upload disagrees with its request; staff may override it with a note. */
export interface UploadMismatch {
  /** The field or file it concerns: `keyNumbers.0`, `files.1`. */
  field: string;
  kind: 'key_number' | 'product' | 'expired' | 'unknown_format' | 'license_key';
  message: string;
}

/**
 * The upload is well-formed but does not match the request (wrong key number, product,
 * expired, unreadable format). Nothing was stored; resend with `override=true` and a `note`.
 */
export class UploadMismatchError extends AppError {
  readonly status = 422;
  readonly code = 'upload_mismatch';
  constructor(readonly mismatches: UploadMismatch[]) {
    super(
      `The upload does not match the request: ${mismatches.map((m) => `${m.field}: ${m.message}`).join('; ')}. Pass override=true with a note to store it anyway`,
      {
        details: { mismatches, fields: mismatches.map((m) => ({ field: m.field, message: m.message })) },
      },
    );
  }
}
