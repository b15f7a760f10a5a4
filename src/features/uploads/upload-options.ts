/** A kind of file staff may upload, told apart by its declared content type. */
export interface AllowedFileType {
  /** Short name used in messages and settings (`xml`, `binary`). */
  name: string;
  /** Declared content types (lower case, without parameters) of this kind. */
  contentTypes: string[];
  /** The content type the file is stored and served with. */
  storeAs: string;
}

/** Limits of one manual upload. Defaults fit KA key files. */
export interface UploadLimits {
  /** Largest single file in bytes. */
  maxFileBytes: number;
  /** Most files in one upload. */
  maxFiles: number;
  /** Largest whole multipart body in bytes. */
  maxRequestBytes: number;
  /** Largest non-file field value in bytes (key numbers, note). */
  maxFieldBytes: number;
  allowedTypes: AllowedFileType[];
}

export const xmlFileType: AllowedFileType = {
  name: 'xml',
  contentTypes: ['application/xml', 'text/xml'],
  storeAs: 'application/xml',
};
export const binaryFileType: AllowedFileType = {
  name: 'binary',
  contentTypes: ['application/octet-stream'],
  storeAs: 'application/octet-stream',
};

export const defaultUploadLimits: UploadLimits = {
  maxFileBytes: 1024 * 1024,
  maxFiles: 8,
  maxRequestBytes: 8 * 1024 * 1024,
  maxFieldBytes: 16 * 1024,
  allowedTypes: [xmlFileType, binaryFileType],
};

/** Defaults with the given overrides. */
export function uploadLimits(overrides: Partial<UploadLimits> = {}): UploadLimits {
  return { ...defaultUploadLimits, ...overrides };
}
