import { ValidationError } from '../../errors/app-error.js';
import {
  KeyFileFormatError,
  looksLikeXml,
  type ParsedKeyFile,
  parsePleskKeyFile,
  revisionOf,
  stripRevision,
} from './key-file-parser.js';
import type { UploadMismatch } from './upload-errors.js';
import type { CheckedFile } from './uploaded-file.js';

/** A file ready to store: which key it belongs to, and what its content said. */
export interface ResolvedFile extends CheckedFile {
  keyNumber: string;
  revision: string | null;
  parsed: ParsedKeyFile | null;
}

export interface CheckedUpload {
  /** Key numbers without revision; the first is the main key. */
  keyNumbers: string[];
  files: ResolvedFile[];
  /** The main key's file, when one was readable: its dates and full number go on the license. */
  main: ParsedKeyFile | null;
  mismatches: UploadMismatch[];
}

const KEY_NUMBER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** Normalises and checks the key numbers staff typed: at least one, each of a sane shape, no duplicates. */
export function normaliseKeyNumbers(values: string[]): string[] {
  const trimmed = values.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  if (trimmed.length === 0)
    throw ValidationError.forFields([{ field: 'keyNumbers', message: 'required' }], {
      summary: 'at least one key number is required',
    });
  const bad = trimmed.map((v, i) => ({ v, i })).filter(({ v }) => !KEY_NUMBER.test(v));
  if (bad.length) {
    throw ValidationError.forFields(bad.map(({ i }) => ({ field: `keyNumbers.${i}`, message: 'not a key number' })));
  }
  const numbers = trimmed.map((v) => stripRevision(v.toUpperCase()));
  return [...new Set(numbers)];
}

/** `PLSK.00001234.key` → `PLSK.00001234`: how opaque files of other vendors are named. */
function keyNumberFromName(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return stripRevision((dot > 0 ? fileName.slice(0, dot) : fileName).toUpperCase());
}

/**
 * Checks an upload against what the request expects: every file readable or named after a
 * given key, each file's key among the given ones, each key covered by a file, the main key
 * of the expected product, nothing expired. Disagreements are returned, not thrown: the
 * caller refuses them unless staff override.
 */
export async function checkUpload(input: {
  keyNumbers: string[];
  files: CheckedFile[];
  product: string | null;
  now: number;
}): Promise<CheckedUpload> {
  const keyNumbers = normaliseKeyNumbers(input.keyNumbers);
  const mainKey = keyNumbers[0] as string;
  const mismatches: UploadMismatch[] = [];
  const files: ResolvedFile[] = [];
  for (const file of input.files) {
    const field = `files.${file.index}`;
    let parsed: ParsedKeyFile | null = null;
    if (looksLikeXml(file.content)) {
      try {
        parsed = await parsePleskKeyFile(file.content);
      } catch (err) {
        const why = err instanceof KeyFileFormatError ? err.message : 'it cannot be read';
        mismatches.push({
          field,
          kind: 'unknown_format',
          message: `unknown format: not a Plesk-style key file (${why})`,
        });
      }
    }
    const byName = keyNumberFromName(file.fileName);
    if (!parsed && !looksLikeXml(file.content) && !keyNumbers.includes(byName)) {
      mismatches.push({
        field,
        kind: 'unknown_format',
        message: `unknown format: the file cannot be read and its name does not start with one of the key numbers (${keyNumbers.join(', ')})`,
      });
    }
    const keyNumber = parsed?.keyNumber ?? (keyNumbers.includes(byName) ? byName : mainKey);
    if (parsed && !keyNumbers.includes(parsed.keyNumber)) {
      mismatches.push({
        field,
        kind: 'key_number',
        message: `the file is for key ${parsed.keyNumber}, which is not one of the key numbers given (${keyNumbers.join(', ')})`,
      });
    }
    if (parsed?.expiresAt && parsed.expiresAt.getTime() < input.now) {
      mismatches.push({
        field,
        kind: 'expired',
        message: `the key expired on ${parsed.expiresAt.toISOString().slice(0, 10)}`,
      });
    }
    files.push({
      ...file,
      keyNumber,
      revision: parsed?.keyVersion ?? revisionOf(file.fileName.replace(/\.[^.]*$/, '')),
      parsed,
    });
  }
  keyNumbers.forEach((k, i) => {
    if (!files.some((f) => f.keyNumber === k && (f.parsed || keyNumberFromName(f.fileName) === k))) {
      mismatches.push({ field: `keyNumbers.${i}`, kind: 'key_number', message: `no uploaded file is for key ${k}` });
    }
  });
  const main = files.find((f) => f.parsed?.keyNumber === mainKey)?.parsed ?? null;
  if (main && input.product && !productMatches(main, input.product)) {
    mismatches.push({
      field: 'files',
      kind: 'product',
      message: `the key is for product ${main.keyType ?? main.productFamily ?? 'unknown'}, the request is for ${input.product}`,
    });
  }
  return { keyNumbers, files, main, mismatches };
}

function productMatches(file: ParsedKeyFile, product: string): boolean {
  const wanted = product.toLowerCase();
  return file.keyType?.toLowerCase() === wanted || file.productFamily?.toLowerCase() === wanted;
}
