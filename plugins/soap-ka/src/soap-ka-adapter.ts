import {
  type AdapterContext,
  type AdditionalKeyChange,
  type AdditionalKeyRequest,
  type ConnectionCheck,
  type FarmActivation,
  deliverToHttpTarget,
  type InstallableLicense,
  type InstallReceipt,
  type InstallTarget,
  type IssuedKey,
  type KaAdapter,
  KaError,
  type KaProduct,
  type KeyInfo,
  type KeyLookup,
  type LicenseFileContent,
  type LicenseOrder,
  type QuantityChange,
  type RenewOptions,
  type UsageDay,
  type UsageQuery,
} from '../../../src/plugin-sdk/index.js';
import { SoapKaClient, type SoapObject } from './soap-ka-client.js';
import type { SoapKaSettings } from './soap-ka-settings.js';
import { asObject, farmActivation, issuedKey, keyInfo, many, shapeError, text, usageDay } from './soap-key-mapping.js';

/**
 * `KaAdapter` for the SOAP subscription KA (`wsdl/subscription-ka.wsdl`, README.md). Our
 * request reference is the key's ExternalId: CreateKey is idempotent on it at the KA, and
 * FindKeysByExternalId answers exactly whether the key exists.
 */
export class SoapKaAdapter implements KaAdapter {
  private readonly client: SoapKaClient;

  constructor(
    private readonly settings: SoapKaSettings,
    context: AdapterContext,
  ) {
    this.client = new SoapKaClient(settings, context.logger);
  }

  async issueKey(order: LicenseOrder): Promise<IssuedKey> {
    const answer = await this.client.call(
      'CreateKey',
      {
        ExternalId: order.reference,
        Product: order.product,
        Quota: Math.max(1, order.quantity),
        ...(order.periodMonths ? { PeriodMonths: order.periodMonths } : {}),
        ...(order.features.length ? { Features: { Feature: order.features } } : {}),
      },
      true,
    );
    try {
      return issuedKey(answer.Key);
    } catch {
      // The KA answered but not with a key: it may have created one; the lookup decides.
      throw shapeError('the created Key', true);
    }
  }

  /**
   * Exact: the PRIMARY keys carrying our reference as ExternalId; several means staff decide.
   * `sentAt` is not needed: the KA searches by our reference, not by time.
   */
  async findKeyByRef(order: LicenseOrder, _sentAt?: Date): Promise<KeyLookup> {
    const answer = await this.client.call('FindKeysByExternalId', { ExternalId: order.reference });
    const keys = many(answer.Key)
      .map(asObject)
      .filter(
        (key): key is SoapObject =>
          key !== undefined && text(key, 'Kind') !== 'ADDITIONAL' && text(key, 'ExternalId') === order.reference,
      );
    if (keys.length === 0) return { status: 'none' };
    if (keys.length === 1) return { status: 'found', key: issuedKey(keys[0]) };
    const candidates = keys.map((key) => issuedKey(key).keyNumber);
    return { status: 'ambiguous', reason: `${keys.length} keys carry external id ${order.reference}`, candidates };
  }

  async retrieveFiles(key: IssuedKey): Promise<LicenseFileContent[]> {
    const files: LicenseFileContent[] = [];
    for (const number of [key.keyNumber, ...key.additionalKeyNumbers]) {
      const file = asObject((await this.client.call('RetrieveLicenseFile', { KeyNumber: number })).LicenseFile);
      const raw = file?.Content;
      const content = Buffer.isBuffer(raw) ? raw : typeof raw === 'string' ? Buffer.from(raw, 'base64') : undefined;
      if (!file || !content || content.length === 0) throw shapeError(`the license file of ${number}`);
      const keyNumber = text(file, 'KeyNumber') ?? number;
      const full = text(file, 'FullKeyNumber');
      const fileName = (text(file, 'FileName') ?? '').replace(/[\\/]/g, '') || `${keyNumber}.xml`;
      files.push({
        keyNumber,
        fileName,
        contentType: text(file, 'ContentType') ?? 'application/octet-stream',
        content,
        revision: full?.startsWith(`${keyNumber}.`) ? full.slice(keyNumber.length + 1) : undefined,
      });
    }
    return files;
  }

  install(license: InstallableLicense, target: InstallTarget): Promise<InstallReceipt> {
    return deliverToHttpTarget(license, target, { timeoutMs: this.settings.timeoutMs });
  }

  async testConnection(): Promise<ConnectionCheck> {
    const answer = await this.client.call('Ping', {});
    if (text(answer, 'ClientId') === undefined) throw shapeError('the ClientId of the Ping answer');
    return { ok: true, message: `Login is valid (client ${text(answer, 'ClientId')})` };
  }

  async listProducts(): Promise<KaProduct[]> {
    const answer = await this.client.call('ListProducts', {});
    return many(answer.Product)
      .map(asObject)
      .filter((p): p is SoapObject => p !== undefined && text(p, 'Kind') !== 'ADDITIONAL')
      .map((p) => ({
        id: text(p, 'Id') ?? '',
        name: text(p, 'Name') ?? text(p, 'Id') ?? '',
        features: many(p.Feature)
          .map(asObject)
          .filter((f): f is SoapObject => f !== undefined)
          .map((f) => ({ id: text(f, 'Id') ?? '', name: text(f, 'Name') ?? '' })),
      }))
      .filter((p) => p.id.length > 0);
  }

  async getKeyInfo(keyNumber: string): Promise<KeyInfo> {
    return keyInfo((await this.client.call('GetKey', { KeyNumber: keyNumber })).Key);
  }

  /**
   * RenewKey: the KA adds `PeriodMonths` (default: the key's own period) to the current expiry,
   * also in grace. A period the product does not sell is RENEW_REFUSED.
   */
  async renew(keyNumber: string, options: RenewOptions = {}): Promise<IssuedKey> {
    const request = { KeyNumber: keyNumber, ...(options.periodMonths ? { PeriodMonths: options.periodMonths } : {}) };
    return issuedKey((await this.client.call('RenewKey', request, true)).Key);
  }

  async suspend(keyNumber: string): Promise<void> {
    await this.client.call('SuspendKey', { KeyNumber: keyNumber }, true);
  }

  async resume(keyNumber: string): Promise<void> {
    await this.client.call('ResumeKey', { KeyNumber: keyNumber }, true);
  }

  async terminate(keyNumber: string): Promise<void> {
    await this.client.call('TerminateKey', { KeyNumber: keyNumber }, true);
  }

  /** ChangeQuota sets the subscription's quota of users; below what sublicenses reserve is QUOTA_EXCEEDED (QuotaReserved). */
  async changeQuantity(keyNumber: string, change: QuantityChange): Promise<IssuedKey> {
    const request = { KeyNumber: keyNumber, Quota: change.quantity };
    return issuedKey((await this.client.call('ChangeQuota', request, true)).Key);
  }

  /**
   * CreateAdditionalKey with our reference as its ExternalId (idempotent at the KA); the KA picks
   * the sublicense type of the subscription. Not fitting is QUOTA_EXCEEDED with QuotaRemaining.
   */
  async createAdditionalKey(parentKeyNumber: string, request: AdditionalKeyRequest): Promise<IssuedKey> {
    const answer = await this.client.call(
      'CreateAdditionalKey',
      {
        ParentKeyNumber: parentKeyNumber,
        Quota: request.quota,
        ExternalId: request.reference,
        ...(request.name ? { Name: request.name } : {}),
        ...(request.expiresAt
          ? { ExpiresAt: request.expiresAt.toISOString() }
          : { RenewWithSubscription: request.renewWithSubscription ?? true }),
      },
      true,
    );
    return issuedKey(answer.Key);
  }

  async modifyAdditionalKey(keyNumber: string, change: AdditionalKeyChange): Promise<IssuedKey> {
    const request = {
      KeyNumber: keyNumber,
      ...(change.quota !== undefined ? { Quota: change.quota } : {}),
      ...(change.name !== undefined ? { Name: change.name } : {}),
    };
    return issuedKey((await this.client.call('ModifyAdditionalKey', request, true)).Key);
  }

  async deleteAdditionalKey(keyNumber: string): Promise<void> {
    await this.client.call('DeleteAdditionalKey', { KeyNumber: keyNumber }, true);
  }

  async listActivations(keyNumber: string): Promise<FarmActivation[]> {
    return many((await this.client.call('ListActivations', { KeyNumber: keyNumber })).Farm).map(farmActivation);
  }

  /** DeactivateKey for each activation key, once each is known to be this key or one of its additional keys. */
  async deactivate(keyNumber: string, activationKeys: string[]): Promise<void> {
    const key = issuedKey((await this.client.call('GetKey', { KeyNumber: keyNumber })).Key);
    const own = new Set([key.keyNumber, ...key.additionalKeyNumbers]);
    const farms = await this.listActivations(keyNumber);
    for (const farm of farms) own.add(farm.activationKey);
    const stranger = activationKeys.find((k) => !own.has(k));
    if (stranger)
      throw new KaError(`${stranger} is not ${keyNumber} or one of its additional keys`, {
        code: 'permission_denied',
        retryable: false,
      });
    for (const activationKey of activationKeys) {
      await this.client.call('DeactivateKey', { KeyNumber: activationKey }, true);
    }
  }

  /** GetUsage: the KA's day peaks since `query.since` (the keys named, when any). */
  async fetchUsage(query: UsageQuery): Promise<UsageDay[]> {
    const args: Record<string, unknown> = { Since: query.since.toISOString() };
    if (query.keyNumbers?.length) args.KeyNumber = query.keyNumbers;
    return many((await this.client.call('GetUsage', args)).UsageDay).map(usageDay);
  }
}
