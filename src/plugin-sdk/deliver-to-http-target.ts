import { createHash } from 'node:crypto';
import { httpPost } from './http-client.js';
import type { InstallableLicense, InstallReceipt, InstallTarget } from './ka-adapter.js';
import { KaError } from './ka-error.js';

/** What `deliverToHttpTarget` posts: the license and its files, base64-encoded. */
export interface InstallPayload {
  licenseId: string;
  keyNumber: string;
  productKey?: string;
  product: string;
  files: Array<{ fileName: string; contentType: string; sha256: string; contentBase64: string }>;
}

export interface DeliverOptions {
  timeoutMs: number;
  /** Limit on the target's answer; it only carries a short acknowledgement. */
  maxResponseBytes?: number;
}

/** Build the JSON body an install target receives. */
export function buildInstallPayload(license: InstallableLicense): InstallPayload {
  return {
    licenseId: license.licenseId,
    keyNumber: license.keyNumber,
    productKey: license.productKey,
    product: license.product,
    files: license.files.map((file) => ({
      fileName: file.fileName,
      contentType: file.contentType,
      sha256: createHash('sha256').update(file.content).digest('hex'),
      contentBase64: file.content.toString('base64'),
    })),
  };
}

/**
 * Deliver a license to an HTTP install target (the common case for every plugin).
 *
 * 2xx → receipt; 4xx → `install_failed`, permanent (the target refuses this license or our
 * token); 5xx and network failures → retryable. Installing is idempotent at the target (same
 * license id), so an unknown outcome is safe to retry.
 */
export async function deliverToHttpTarget(
  license: InstallableLicense,
  target: InstallTarget,
  options: DeliverOptions,
): Promise<InstallReceipt> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  const response = await httpPost(target.url, JSON.stringify(buildInstallPayload(license)), {
    timeoutMs: options.timeoutMs,
    maxResponseBytes: options.maxResponseBytes ?? 64 * 1024,
    headers,
  });
  // The target's answer is shown to staff; cap it so a chatty target cannot flood the audit.
  const detail = response.body.toString('utf8').slice(0, 500);
  if (response.status >= 200 && response.status < 300) {
    return { installedAt: new Date(), detail: detail || `HTTP ${response.status}` };
  }
  if (response.status >= 400 && response.status < 500) {
    throw new KaError(`Install target refused the license (HTTP ${response.status})`, {
      code: 'install_failed',
      retryable: false,
      kaResultCode: response.status,
      kaMessage: detail,
    });
  }
  throw new KaError(`Install target failed (HTTP ${response.status})`, {
    code: 'unavailable',
    retryable: true,
    kaResultCode: response.status,
    kaMessage: detail,
  });
}
