import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../errors/app-error.js';
import type { AllowedFileType, UploadLimits } from './upload-options.js';

/** One file of a manual upload, as the HTTP layer or the console hands it over. */
export interface UploadedFile {
  fileName: string;
  /** The content type the client declared. */
  contentType: string;
  content: Buffer;
}

/** A file that passed the structural checks: safe name, allowed type, within limits. */
export interface CheckedFile extends UploadedFile {
  /** Position in the upload, for messages (`files.0`). */
  index: number;
  type: AllowedFileType;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why a file name is refused, or undefined when it is safe to store and to serve back. */
export function fileNameProblem(name: string): string | undefined {
  if (!name) return 'the file has no name';
  if (name.length > 200) return 'the file name is longer than 200 characters';
  if (/[/\\]/.test(name)) return 'the file name contains a path separator';
  if (CONTROL.test(name)) return 'the file name contains a control character';
  if (name === '.' || name === '..' || name.startsWith('.')) return 'the file name starts with a dot';
  if (/["<>|:*?]/.test(name)) return 'the file name contains one of " < > | : * ?';
  return undefined;
}

function field(index: number): string {
  return `files.${index}`;
}

/**
 * The structural checks of an upload, shared by the API and the console: at least one file,
 * no more than the limit, each with a safe name, an allowed type and a size within limits.
 * Throws the first class of problem found, naming every file it concerns.
 */
export function checkFiles(files: UploadedFile[], limits: UploadLimits): CheckedFile[] {
  if (files.length === 0)
    throw ValidationError.forFields([{ field: 'files', message: 'required' }], {
      summary: 'at least one license file is required',
    });
  if (files.length > limits.maxFiles) {
    throw ValidationError.forFields([{ field: 'files', message: `at most ${limits.maxFiles} files` }], {
      summary: `at most ${limits.maxFiles} files per upload`,
    });
  }
  const names = files
    .map((f, i) => ({ field: field(i), problem: fileNameProblem(f.fileName) }))
    .filter((p) => p.problem);
  if (names.length) {
    throw ValidationError.forFields(names.map((n) => ({ field: n.field, message: n.problem as string })));
  }
  const tooBig = files.map((f, i) => ({ f, i })).filter(({ f }) => f.content.length > limits.maxFileBytes);
  if (tooBig.length) {
    throw new PayloadTooLargeError(
      `${field(tooBig[0]?.i ?? 0)}: a file may have at most ${limits.maxFileBytes} bytes`,
      {
        details: {
          fields: tooBig.map(({ i }) => ({ field: field(i), message: `larger than ${limits.maxFileBytes} bytes` })),
        },
      },
    );
  }
  const total = files.reduce((sum, f) => sum + f.content.length, 0);
  if (total > limits.maxRequestBytes) {
    throw new PayloadTooLargeError(`files: an upload may have at most ${limits.maxRequestBytes} bytes`, {
      details: { fields: [{ field: 'files', message: 'too large in total' }] },
    });
  }
  const checked: CheckedFile[] = [];
  const badTypes: Array<{ field: string; message: string }> = [];
  files.forEach((f, index) => {
    const declared = f.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    const type = limits.allowedTypes.find((t) => t.contentTypes.includes(declared));
    if (!type)
      badTypes.push({
        field: field(index),
        message: `type ${declared || 'none'} is not one of ${limits.allowedTypes.flatMap((t) => t.contentTypes).join(', ')}`,
      });
    else if (f.content.length === 0) badTypes.push({ field: field(index), message: 'the file is empty' });
    else checked.push({ ...f, index, type });
  });
  if (badTypes.length) {
    const first = badTypes[0];
    const Err = badTypes.some((b) => b.message.startsWith('type')) ? UnsupportedMediaTypeError : ValidationError;
    throw new Err(`${first?.field}: ${first?.message}`, { details: { fields: badTypes } });
  }
  return checked;
}
