import type { StoredKaConfiguration } from '../../features/ka-configurations/ka-configuration-store.js';
import type { LicenseRequest } from '../../features/license-requests/license-request.js';
import type { LicenseTerm, NewLicense } from '../../features/licenses/license-port.js';
import type { LicenseSummary } from '../../features/licenses/license.js';
import type { InstallableLicense, IssuedKey, LicenseFileContent } from '../../plugin-sdk/ka-adapter.js';
import { quotaOfKey } from '../key-term.js';

/**
 * What the pipeline's steps hand the stores and the plugin, built one way for the single-request
 * steps and the batch pipeline alike.
 */

/** The license a request's key makes (status `issued`, source `online`). */
export function newLicenseOf(
  request: LicenseRequest,
  configuration: Pick<StoredKaConfiguration, 'id'>,
  key: IssuedKey,
  term: LicenseTerm,
): NewLicense {
  return {
    requestId: request.id,
    configurationId: configuration.id,
    subscriptionId: request.subscriptionId,
    customerId: request.customerId,
    keyNumber: key.keyNumber,
    fullKeyNumber: key.fullKeyNumber ?? null,
    productKey: key.productKey ?? null,
    product: request.product,
    features: request.features,
    additionalKeyNumbers: key.additionalKeyNumbers,
    source: 'online',
    predecessorLicenseId: request.predecessorLicenseId,
    expiresAt: term.expiresAt,
    updatesUntil: term.updatesUntil ?? null,
    term,
    quota: quotaOfKey(key),
    keyType: key.keyType ?? null,
  };
}

/** The key as the KA is asked for its files. */
export function keyReferenceOf(license: LicenseSummary): IssuedKey {
  return {
    keyNumber: license.keyNumber,
    fullKeyNumber: license.fullKeyNumber ?? undefined,
    productKey: license.productKey ?? undefined,
    additionalKeyNumbers: license.additionalKeyNumbers,
  };
}

/** What the install target receives: the license's key and files. */
export function installPackageOf(
  license: LicenseSummary,
  files: Array<
    Pick<LicenseFileContent, 'keyNumber' | 'fileName' | 'contentType' | 'content'> & { revision?: string | null }
  >,
): InstallableLicense {
  return {
    licenseId: String(license.id),
    keyNumber: license.keyNumber,
    productKey: license.productKey ?? undefined,
    product: license.product,
    files: files.map((f) => ({
      keyNumber: f.keyNumber,
      fileName: f.fileName,
      contentType: f.contentType,
      content: f.content,
      revision: f.revision ?? undefined,
    })),
  };
}
