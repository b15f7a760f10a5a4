import type { IssuedKey, LicenseFileContent } from '../plugin-sdk/ka-adapter.js';
import { KaError } from '../plugin-sdk/ka-error.js';

/**
 * What a KA answers is checked against what Keyway stores before anything is written: a value
 * that does not fit is a protocol fault (a bug at the KA or in the plugin), refused, never cut
 * (a key number cut short would name another key, a file name with a path would write outside
 * its place). The refusal is permanent: staff look at it.
 */

/** Column lengths of the license's key fields. */
const keyFieldLimits = { keyNumber: 80, fullKeyNumber: 100, productKey: 80 } as const;

function unfit(message: string): KaError {
  return new KaError(message, { code: 'protocol', retryable: false });
}

export function checkIssuedKey(key: IssuedKey): KaError | undefined {
  for (const [field, max] of Object.entries(keyFieldLimits) as Array<[keyof typeof keyFieldLimits, number]>) {
    const value = key[field];
    if (typeof value === 'string' && (value.length > max || (field === 'keyNumber' && value.trim() === ''))) {
      return unfit(`the KA answered a ${field} of ${value.length} characters; Keyway holds 1 to ${max}`);
    }
  }
  if (key.additionalKeyNumbers.some((n) => n.length === 0 || n.length > keyFieldLimits.keyNumber)) {
    return unfit(
      `the KA answered an additional key number that is empty or longer than ${keyFieldLimits.keyNumber} characters`,
    );
  }
  return undefined;
}

/** Column lengths of a license file's fields. */
const fileFieldLimits = { fileName: 255, contentType: 120, revision: 40, keyNumber: 80 } as const;

export function checkLicenseFiles(files: LicenseFileContent[]): KaError | undefined {
  if (files.length === 0) return unfit('the KA returned no license file');
  for (const file of files) {
    for (const [field, max] of Object.entries(fileFieldLimits) as Array<[keyof typeof fileFieldLimits, number]>) {
      const value = file[field];
      if (typeof value === 'string' && value.length > max)
        return unfit(`the KA answered a file ${field} of ${value.length} characters; Keyway holds at most ${max}`);
    }
    // A file name is a name, not a path: it is offered as a download and written by install targets.
    if (!isPlainFileName(file.fileName)) {
      return unfit(
        `the KA answered the file name ${JSON.stringify(file.fileName.slice(0, 80))}: a file name must not be empty, hold a path or control characters`,
      );
    }
    if (file.content.length === 0) return unfit(`the KA answered an empty file ${file.fileName}`);
  }
  return undefined;
}

function isPlainFileName(name: string): boolean {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\')) return false;
  for (let i = 0; i < name.length; i += 1) if (name.charCodeAt(i) < 0x20 || name.charCodeAt(i) === 0x7f) return false;
  return true;
}
