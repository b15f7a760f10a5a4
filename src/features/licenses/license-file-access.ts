import { allow } from '../../http/access.js';
import { operators, type RoleName } from '../../kernel/principal.js';

/**
 * Who may download license files, through the API and the console alike: operators and admins.
 * A file is what the customer pays for (it activates the product), so a viewer reads that it
 * exists, never its content.
 */
export const licenseFileDownloaders: RoleName[] = operators;

/** The rule as a question, for pages that hide what a role may not do. */
export function mayDownloadLicenseFiles(role: RoleName | undefined): boolean {
  return role !== undefined && licenseFileDownloaders.includes(role);
}

/** The one guard of every license file download route (API and console); refuses with 403 naming the roles. */
export const licenseFileDownloadGuard = allow(...licenseFileDownloaders);
