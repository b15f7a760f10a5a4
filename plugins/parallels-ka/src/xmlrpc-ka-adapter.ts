import {
  type AdapterContext,
  type ConnectionCheck,
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
  type LookupHints,
  type RenewOptions,
} from '../../../src/plugin-sdk/index.js';
import { isSuccess, resultCodeError } from './ka-result-codes.js';
import {
  asStruct,
  issuedKey,
  keyInfo,
  LEASE_MONTHS,
  list,
  shapeError,
  text,
  withOutcome,
  withoutRevision,
} from './ka-response.js';
import { findKeyByReference, notePrefix } from './key-lookup.js';
import type { ParallelsKaSettings } from './parallels-ka-settings.js';
import { XmlRpcClient } from './xmlrpc-client.js';
import type { XmlRpcStruct, XmlRpcValue } from './xmlrpc-codec.js';

/** The note that ties a key to our request: written after createKey, read by the lookup. */
export const referenceNote = (reference: string): string => `${notePrefix}${reference}`;

/**
 * `KaAdapter` for the KA XML-RPC partner protocol (ka-protocol.md). Every method is one or a
 * few `partner10.*` calls; result codes map to `KaError` as the protocol's table says.
 */
export class XmlRpcKaAdapter implements KaAdapter {
  /** Partner API 1.0 `renewKey(keyNumber)` adds one fixed period of the key's type, no other. */
  readonly renewPeriods = 'fixed' as const;
  private readonly client: XmlRpcClient;
  private catalogue?: Promise<{ keyTypes: string[]; features: string[] }>;

  constructor(
    private readonly settings: ParallelsKaSettings,
    private readonly context: AdapterContext,
  ) {
    this.client = new XmlRpcClient(settings);
  }

  /**
   * One `partner10.<method>` call with AuthInfo first. `mutating` calls keep an unknown
   * outcome as `httpPost` reports it; for read-only calls it is cleared, since asking again
   * cannot do harm.
   */
  async call(method: string, params: XmlRpcValue[], mutating = false): Promise<XmlRpcStruct> {
    const auth = { login: this.settings.login, password: this.settings.password };
    let answer: XmlRpcStruct;
    try {
      const value = await this.client.call(`partner10.${method}`, [auth, ...params]);
      answer = asStruct(value, `a result struct for ${method}`);
    } catch (error) {
      const failure =
        error instanceof KaError ? error : new KaError(`${method} failed`, { code: 'protocol', retryable: true });
      const { code, retryable } = failure;
      this.context.logger.warn({ method, code, retryable, outcomeUnknown: failure.outcomeUnknown }, 'KA call failed');
      // A wrong-shaped answer to a mutating call means the KA acted; asking again a
      // read-only call cannot do harm, so its outcome is never "unknown".
      if (!mutating) throw withOutcome(failure, false);
      if (code === 'protocol' && failure.kaResultCode === undefined) throw withOutcome(failure, true);
      throw failure;
    }
    const resultCode = typeof answer.resultCode === 'number' ? answer.resultCode : Number(answer.resultCode);
    if (!Number.isInteger(resultCode)) throw withOutcome(shapeError(`a resultCode for ${method}`), mutating);
    this.context.logger.debug({ method, resultCode }, 'KA call done');
    if (!isSuccess(resultCode)) {
      throw resultCodeError(method, resultCode, text(answer, 'resultDesc') ?? '', this.settings.password);
    }
    return answer;
  }

  /**
   * createKey cannot carry a period: the key type fixes it. A key type the contract sells as a
   * fixed term of the ordered period (setting `fixedTerms`) is bought (`purchase`) and
   * reported as a `term`; any other order is a monthly lease (`billing`) the KA renews itself,
   * reported as a `lease`, and Keyway keeps the subscription's real expiry.
   */
  async issueKey(order: LicenseOrder): Promise<IssuedKey> {
    const server = order.server ?? { ips: [], macs: [] };
    const { plans, additional } = await this.splitFeatures(order.features);
    const term = this.settings.fixedTerms.get(order.product);
    const purchase = term !== undefined && (order.periodMonths === undefined || order.periodMonths === term);
    const licenseType = purchase ? 'purchase' : 'billing';
    const common: XmlRpcValue[] = [server, this.settings.clientId, order.product, plans];
    // Form D when the order brings additional key types, form B otherwise.
    const params = additional.length ? [...common, {}, additional, {}, licenseType] : [...common, licenseType];
    const answer = await this.call('createKey', params, true);
    let key: IssuedKey;
    try {
      key = issuedKey(answer, 'mainKeyNumber', this.context.clock());
    } catch (error) {
      // The KA says it created a key but we cannot tell which: the lookup must decide.
      throw withOutcome(error as KaError, true);
    }
    await this.tagKey(key.keyNumber, order);
    return { ...key, termKind: purchase ? 'term' : 'lease', periodMonths: purchase ? term : LEASE_MONTHS };
  }

  findKeyByRef(order: LicenseOrder, sentAt: Date, hints?: LookupHints): Promise<KeyLookup> {
    return findKeyByReference(this, order, sentAt, hints);
  }

  /** Best effort: the key exists whatever happens here, so a failure must not fail the issue. */
  async tagKey(keyNumber: string, order: LicenseOrder): Promise<void> {
    try {
      await this.call('addNoteToKey', [keyNumber, referenceNote(order.reference)], true);
    } catch (error) {
      this.context.logger.warn(
        { keyNumber, code: (error as KaError).code },
        'Could not add the reference note to the key',
      );
    }
  }

  async retrieveFiles(key: IssuedKey): Promise<LicenseFileContent[]> {
    const files: LicenseFileContent[] = [];
    for (const number of [key.keyNumber, ...key.additionalKeyNumbers]) {
      const answer = await this.call('retrieveKey', [number]);
      const body = answer.key;
      const content = Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body, 'base64') : undefined;
      if (!content || content.length === 0) throw shapeError(`the key body of ${number}`);
      const full = text(answer, 'keyNumber') ?? number;
      const extension = (text(answer, 'keyExtension') ?? 'key').replace(/[^A-Za-z0-9]/g, '') || 'key';
      files.push({
        keyNumber: withoutRevision(full),
        fileName: `${withoutRevision(full)}.${extension}`,
        contentType: extension === 'xml' ? 'application/xml' : 'application/octet-stream',
        content,
        revision: full === withoutRevision(full) ? undefined : full.slice(-4),
      });
    }
    return files;
  }

  install(license: InstallableLicense, target: InstallTarget): Promise<InstallReceipt> {
    return deliverToHttpTarget(license, target, { timeoutMs: this.settings.timeoutMs });
  }

  async testConnection(): Promise<ConnectionCheck> {
    const answer = await this.call('validateLogin', []);
    return { ok: true, message: text(answer, 'resultDesc') ?? 'Login is valid' };
  }

  async listProducts(): Promise<KaProduct[]> {
    const { keyTypes, features } = await this.loadCatalogue();
    const featureList = features.map((id) => ({ id, name: id }));
    return keyTypes.map((id) => ({ id, name: id, features: featureList }));
  }

  /** getKeyInfo; a purchased key's period is its key type's term from `fixedTerms`, when configured. */
  async getKeyInfo(keyNumber: string): Promise<KeyInfo> {
    const answer = await this.call('getKeyInfo', [keyNumber]);
    const info = keyInfo(asStruct(answer.keyInfo, 'keyInfo'));
    const term = info.termKind === 'term' ? this.settings.fixedTerms.get(info.product) : undefined;
    return term === undefined ? info : { ...info, periodMonths: term };
  }

  /**
   * `renewKey(keyNumber)`: one fixed period of the key's type (a purchased key's term, a
   * lease's month), added by the KA to the current expiry. Partner API 1.0 takes no period, so
   * a period other than the key's own is refused before anything is sent (`not_supported`);
   * checking it reads the key first. Additional keys are not reported by renewKey (left empty).
   */
  async renew(keyNumber: string, options: RenewOptions = {}): Promise<IssuedKey> {
    if (options.periodMonths !== undefined) {
      const own = (await this.getKeyInfo(keyNumber)).periodMonths;
      if (own !== options.periodMonths) {
        throw new KaError(
          `Partner API 1.0 renews key ${keyNumber} by one period of its key type (${own === undefined ? 'not configured in fixedTerms' : `${own} months`}), not ${options.periodMonths} months`,
          { code: 'not_supported', retryable: false },
        );
      }
    }
    return issuedKey(await this.call('renewKey', [keyNumber], true), 'keyNumber', null);
  }

  /** One upgradeKey per plan: 110 (already has it) makes a repeated upgrade harmless. */
  async upgrade(keyNumber: string, features: string[]): Promise<IssuedKey> {
    let last: IssuedKey | undefined;
    for (const plan of features)
      last = issuedKey(await this.call('upgradeKey', [keyNumber, plan], true), 'keyNumber', null);
    return last ?? { keyNumber, additionalKeyNumbers: [] };
  }

  async terminate(keyNumber: string): Promise<void> {
    await this.call('terminateKey', [keyNumber], true);
  }

  /**
   * `resetKey` for each activation key: it clears the key's hardware id, so the key is free for
   * another installation (Partner API 1.0 binds one installation per key, additional keys
   * included). Each must be `keyNumber` or one of its additional keys, checked by `getKeyInfo`
   * before anything is reset. Resetting a free key changes nothing, so a repeat is harmless.
   */
  async deactivate(keyNumber: string, activationKeys: string[]): Promise<void> {
    const info = await this.getKeyInfo(keyNumber);
    const own = new Set([info.keyNumber, ...info.additionalKeyNumbers].map(withoutRevision));
    const stranger = activationKeys.find((key) => !own.has(withoutRevision(key)));
    if (stranger)
      throw new KaError(`${stranger} is not ${keyNumber} or one of its additional keys`, {
        code: 'permission_denied',
        retryable: false,
      });
    for (const key of activationKeys) await this.call('resetKey', [key], true);
  }

  /** Order features that are additional key types go to createKey form D; the rest are upgrade plans. */
  private async splitFeatures(features: string[]): Promise<{ plans: string[]; additional: string[] }> {
    if (features.length === 0) return { plans: [], additional: [] };
    const { keyTypes } = await this.loadCatalogue();
    return {
      plans: features.filter((f) => !keyTypes.includes(f)),
      additional: features.filter((f) => keyTypes.includes(f)),
    };
  }

  private loadCatalogue(): Promise<{ keyTypes: string[]; features: string[] }> {
    const names = (values: XmlRpcValue[]): string[] =>
      values
        .map((v) =>
          typeof v === 'string'
            ? v
            : v && typeof v === 'object' && !Array.isArray(v)
              ? text(v as XmlRpcStruct, 'apiName')
              : undefined,
        )
        .filter((v): v is string => v !== undefined);
    this.catalogue ??= this.call('getAvailableKeyTypesAndFeatures', [this.settings.clientId]).then(
      (answer) => ({ keyTypes: names(list(answer, 'keyTypes')), features: names(list(answer, 'features')) }),
      (error: unknown) => {
        this.catalogue = undefined;
        throw error;
      },
    );
    return this.catalogue;
  }
}
