import {
  type AdapterContext,
  type AdditionalKeyChange,
  type AdditionalKeyRequest,
  apiPath,
  type ConnectionCheck,
  deliverToHttpTarget,
  type FarmActivation,
  type InstallableLicense,
  type InstallReceipt,
  type InstallTarget,
  type IssuedKey,
  JsonApiClient,
  type KaAdapter,
  type KaProduct,
  type KeyInfo,
  type KeyLookup,
  type LicenseFileContent,
  type LicenseOrder,
  type QuantityChange,
  type RenewOptions,
  safeFileName,
  type UsageDay,
  type UsageQuery,
} from '../../../src/plugin-sdk/index.js';
import { issuedKey, kaProduct, keyInfo, read } from './rest-ka-answers.js';
import { REST_ERRORS } from './rest-ka-error-codes.js';
import type { RestKaSettings } from './rest-ka-settings.js';

/**
 * `KaAdapter` for Partner API 3.0 (REST, README.md). Our request reference is the key's
 * `externalId`: creation is idempotent on it, and the key search finds it (by prefix, so the
 * lookup keeps only exact matches).
 */
export class RestKaAdapter implements KaAdapter {
  private readonly api: JsonApiClient;

  constructor(
    private readonly settings: RestKaSettings,
    context: AdapterContext,
  ) {
    this.api = new JsonApiClient({
      baseUrl: settings.endpoint,
      basicAuth: { login: settings.login, password: settings.password },
      timeoutMs: settings.timeoutMs,
      maxResponseBytes: settings.maxResponseBytes,
      logger: context.logger,
      errorCodes: REST_ERRORS,
    });
  }

  async issueKey(order: LicenseOrder): Promise<IssuedKey> {
    const json = {
      product: order.product,
      externalId: order.reference,
      quantity: order.quantity,
      periodMonths: order.periodMonths,
      features: order.features,
      server: order.server,
    };
    return issuedKey(await this.api.call('POST', '/30/keys', { json, read: read.key }));
  }

  /** `sentAt` is not needed: the KA searches by our reference, not by time. */
  async findKeyByRef(order: LicenseOrder, _sentAt?: Date): Promise<KeyLookup> {
    const keys = await this.api.call('GET', '/30/keys', { query: { externalId: order.reference }, read: read.keys });
    const ours = keys.filter((key) => key.externalId === order.reference && key.kind === 'MAIN');
    const [only] = ours;
    if (!only) return { status: 'none' };
    if (ours.length === 1) return { status: 'found', key: issuedKey(only) };
    return {
      status: 'ambiguous',
      reason: `${ours.length} keys carry external id ${order.reference}`,
      candidates: ours.map((key) => key.keyNumber),
    };
  }

  async retrieveFiles(key: IssuedKey): Promise<LicenseFileContent[]> {
    const files: LicenseFileContent[] = [];
    for (const number of [key.keyNumber, ...key.additionalKeyNumbers]) {
      const file = await this.api.call('GET', apiPath`/30/keys/${number}/retrieve`, { read: read.file });
      files.push({
        keyNumber: file.keyNumber,
        fileName: safeFileName(file.fileName, `${file.keyNumber}.xml`),
        contentType: file.contentType,
        content: Buffer.from(file.content, 'base64'),
        revision: file.revision,
      });
    }
    return files;
  }

  install(license: InstallableLicense, target: InstallTarget): Promise<InstallReceipt> {
    return deliverToHttpTarget(license, target, { timeoutMs: this.settings.timeoutMs });
  }

  async testConnection(): Promise<ConnectionCheck> {
    const { clientId } = await this.api.call('GET', '/30/ping', { read: read.ping });
    return { ok: true, message: `Logged in as partner client ${clientId}` };
  }

  async listProducts(): Promise<KaProduct[]> {
    const products = await this.api.call('GET', '/30/products', { read: read.products });
    return products.filter((p) => p.kind === 'MAIN').map(kaProduct);
  }

  async getKeyInfo(keyNumber: string): Promise<KeyInfo> {
    return keyInfo(await this.api.call('GET', apiPath`/30/keys/${keyNumber}`, { read: read.key }));
  }

  /** From the current expiry, by the period asked (default: the key's own). */
  async renew(keyNumber: string, options: RenewOptions = {}): Promise<IssuedKey> {
    const json = { periodMonths: options.periodMonths };
    return issuedKey(await this.api.call('PUT', apiPath`/30/keys/${keyNumber}/renew`, { json, read: read.key }));
  }

  async upgrade(keyNumber: string, features: string[]): Promise<IssuedKey> {
    return issuedKey(
      await this.api.call('POST', apiPath`/30/keys/${keyNumber}/features`, { json: { features }, read: read.key }),
    );
  }

  async suspend(keyNumber: string): Promise<void> {
    await this.api.call('PUT', apiPath`/30/keys/${keyNumber}/suspend`, { json: {}, read: read.key });
  }

  async resume(keyNumber: string): Promise<void> {
    await this.api.call('PUT', apiPath`/30/keys/${keyNumber}/resume`, { json: {}, read: read.key });
  }

  async terminate(keyNumber: string): Promise<void> {
    await this.api.call('DELETE', apiPath`/30/keys/${keyNumber}`, { read: read.key });
  }

  /** Sets the key's quota; below what additional keys reserve is QUOTA_EXCEEDED with `quota.reserved`. */
  async changeQuantity(keyNumber: string, change: QuantityChange): Promise<IssuedKey> {
    const json = { quantity: change.quantity };
    return issuedKey(await this.api.call('PUT', apiPath`/30/keys/${keyNumber}/quantity`, { json, read: read.key }));
  }

  /** Our reference is the additional key's `externalId` (idempotent at the KA). */
  async createAdditionalKey(parentKeyNumber: string, request: AdditionalKeyRequest): Promise<IssuedKey> {
    const json = {
      quota: request.quota,
      name: request.name,
      externalId: request.reference,
      ...(request.expiresAt
        ? { expiresAt: request.expiresAt.toISOString() }
        : { renewWithSubscription: request.renewWithSubscription ?? true }),
    };
    const path = apiPath`/30/keys/${parentKeyNumber}/additional-keys`;
    return issuedKey(await this.api.call('POST', path, { json, read: read.key }));
  }

  async modifyAdditionalKey(keyNumber: string, change: AdditionalKeyChange): Promise<IssuedKey> {
    const json = { quota: change.quota, name: change.name };
    return issuedKey(await this.api.call('PATCH', apiPath`/30/additional-keys/${keyNumber}`, { json, read: read.key }));
  }

  async deleteAdditionalKey(keyNumber: string): Promise<void> {
    await this.api.call('DELETE', apiPath`/30/additional-keys/${keyNumber}`, { read: read.key });
  }

  async listActivations(keyNumber: string): Promise<FarmActivation[]> {
    return this.api.call('GET', apiPath`/30/keys/${keyNumber}/activations`, { read: read.activations });
  }

  /** One call: the KA refuses (PERMISSION_DENIED) an activation key that is not this key's. */
  async deactivate(keyNumber: string, activationKeys: string[]): Promise<void> {
    const path = apiPath`/30/keys/${keyNumber}/deactivate`;
    await this.api.call('POST', path, { json: { activationKeys }, read: read.activations });
  }

  /** `GET /30/usage?since=`: the KA's day peaks (keys named in one call, comma-separated). */
  async fetchUsage(query: UsageQuery): Promise<UsageDay[]> {
    const params = new URLSearchParams({ since: query.since.toISOString() });
    if (query.keyNumbers?.length) params.set('keys', query.keyNumbers.join(','));
    return this.api.call('GET', `/30/usage?${params.toString()}`, { read: read.usage });
  }
}
