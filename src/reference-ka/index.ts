export * from './authority-error.js';
export * from './authority-types.js';
export * from './demo-catalogue.js';
export * from './fault-injector.js';
export { KeyFileError, type ReferenceKeyFile, parseReferenceKeyFile, verifyReferenceKeyFile } from './key-file.js';
export { MAX_ACTIVATION_MOVES } from './key-lifecycle.js';
export { generateProductKey, isProductKey, parseKeyNumber } from './key-number.js';
export { type KeyFile, LicenseAuthority, type LicenseAuthorityOptions } from './license-authority.js';
export * from './install-target-server.js';
