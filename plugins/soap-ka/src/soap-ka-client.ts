import type { Client } from 'soap';
import { KaError, type KaQuotaFacts, type PluginLogger } from '../../../src/plugin-sdk/index.js';
import { isSoapFaultCode, SOAP_FAULTS, SOAP_KA_NAMESPACE } from './soap-fault-codes.js';
import type { SoapKaSettings } from './soap-ka-settings.js';
import { SoapTransport } from './soap-transport.js';
import { WSDL_PATH } from './wsdl-file.js';

/** A response element as the soap client parsed it. */
export type SoapObject = Record<string, unknown>;

type AsyncMethod = (args: SoapObject) => Promise<[unknown, ...unknown[]]>;

const escapeXml = (value: string): string =>
  value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

function asObject(value: unknown): SoapObject | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as SoapObject) : undefined;
}

/** Remove a secret from text the KA sent back (a KA may echo the request). */
function scrub(text: string, secret: string): string {
  return secret.length > 0 ? text.split(secret).join('***') : text;
}

/** A quota refusal's KaFault members (`QuotaUnit`, `QuotaRemaining`, `QuotaReserved`), when present. */
function quotaFacts(detail: SoapObject): KaQuotaFacts | undefined {
  const count = (value: unknown): number | undefined => {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    return typeof number === 'number' && Number.isInteger(number) ? number : undefined;
  };
  const remaining = count(detail.QuotaRemaining);
  const reserved = count(detail.QuotaReserved);
  if (remaining === undefined && reserved === undefined) return undefined;
  const unit = typeof detail.QuotaUnit === 'string' ? detail.QuotaUnit : undefined;
  return { unit, remaining, reserved };
}

/**
 * One SOAP KA endpoint: a `soap` client built from the plugin's WSDL, sending through
 * `SoapTransport`, with the credentials header on every call. `call` answers the response
 * element or throws `KaError`.
 */
export class SoapKaClient {
  private client?: Promise<Client>;

  constructor(
    private readonly settings: SoapKaSettings,
    private readonly logger: PluginLogger,
  ) {}

  /**
   * Call one WSDL operation. `mutating` operations keep an unknown outcome (timeout, drop,
   * garbled answer) as such; for read-only ones it is cleared, since asking again is harmless.
   */
  async call(operation: string, args: SoapObject, mutating = false): Promise<SoapObject> {
    const client = await this.connect();
    const method = client[`${operation}Async`] as AsyncMethod | undefined;
    if (typeof method !== 'function')
      throw new KaError(`The WSDL has no operation ${operation}`, { code: 'not_supported', retryable: false });
    try {
      const [result] = await method.call(client, args);
      this.logger.debug({ operation }, 'KA call done');
      // An empty response element parses as null; the caller checks the members it needs.
      return asObject(result) ?? {};
    } catch (error) {
      const failure = this.toKaError(operation, error, mutating);
      this.logger.warn(
        { operation, code: failure.code, retryable: failure.retryable, outcomeUnknown: failure.outcomeUnknown },
        'KA call failed',
      );
      throw failure;
    }
  }

  private toKaError(operation: string, error: unknown, mutating: boolean): KaError {
    if (error instanceof KaError) {
      if (mutating || !error.outcomeUnknown) return error;
      return new KaError(error.message, {
        code: error.code,
        retryable: error.retryable,
        outcomeUnknown: false,
        kaResultCode: error.kaResultCode,
        cause: error,
      });
    }
    const root = asObject((error as { root?: unknown } | undefined)?.root);
    const fault = asObject(asObject(asObject(root?.Envelope)?.Body)?.Fault);
    if (fault) return this.faultError(operation, fault);
    // The answer did not parse as SOAP: if the call changed something, it did so unseen.
    return new KaError(`The KA's answer to ${operation} is not a SOAP response`, {
      code: 'protocol',
      retryable: true,
      outcomeUnknown: mutating,
    });
  }

  /** A SOAP fault: our KaFault detail decides; a bare fault falls back to its faultcode. */
  private faultError(operation: string, fault: SoapObject): KaError {
    const detail = asObject(asObject(fault.detail)?.KaFault);
    const code = detail?.Code;
    const message = scrub(String(detail?.Message ?? fault.faultstring ?? ''), this.settings.password).slice(0, 500);
    if (isSoapFaultCode(code)) {
      const known = SOAP_FAULTS[code];
      const flag = detail?.Retryable;
      const retryable = flag === undefined ? known.retryable : flag === true || flag === 'true';
      return new KaError(`KA refused ${operation}: ${code}`, {
        code: known.kaCode,
        retryable,
        kaResultCode: code,
        kaMessage: message,
        quota: detail && quotaFacts(detail),
      });
    }
    const server = /server/i.test(String(fault.faultcode ?? ''));
    return new KaError(`KA answered ${operation} with a SOAP fault`, {
      code: server ? 'ka_internal' : 'bad_request',
      retryable: server,
      kaResultCode: typeof code === 'string' ? code : String(fault.faultcode ?? 'Fault'),
      kaMessage: message,
    });
  }

  private connect(): Promise<Client> {
    // Loaded on first use: the soap package and its dependencies cost every process several
    // megabytes, and most installations have no SOAP KA.
    this.client ??= import('soap')
      .then(({ createClientAsync }) =>
        createClientAsync(WSDL_PATH, {
          httpClient: new SoapTransport(this.settings),
          disableCache: false,
        }),
      )
      .then((client) => {
        client.setEndpoint(this.settings.endpoint);
        client.addSoapHeader(
          `<ka:Credentials xmlns:ka="${SOAP_KA_NAMESPACE}"><ka:Login>${escapeXml(this.settings.login)}</ka:Login><ka:Password>${escapeXml(this.settings.password)}</ka:Password></ka:Credentials>`,
        );
        return client;
      })
      .catch((cause: unknown) => {
        this.client = undefined;
        throw new KaError('Cannot load the soap package or read the plugin WSDL', {
          code: 'protocol',
          retryable: false,
          cause,
        });
      });
    return this.client;
  }
}
