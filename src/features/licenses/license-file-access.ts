import { may } from '../../kernel/permissions.js';
import type { RoleName } from '../../kernel/principal.js';

/**
 * Whether a role may download license files: `permissions.downloadLicenseFile`, the rule the
 * API route and the console route are both guarded by. For pages that hide what a role may not do.
 */
export function mayDownloadLicenseFiles(role: RoleName | undefined): boolean {
  return may(role, 'downloadLicenseFile');
}
