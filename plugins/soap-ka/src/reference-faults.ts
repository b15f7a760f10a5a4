import { AuthorityError, type AuthorityErrorCode, type QuotaRefusal } from '../../../src/reference-ka/index.js';
import { compact } from './reference-key-view.js';
import { isSoapFaultCode, SOAP_FAULTS, SOAP_KA_NAMESPACE, type SoapFaultCode } from './soap-fault-codes.js';

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';

const FAULT_FOR: Record<AuthorityErrorCode, SoapFaultCode> = {
  auth_failed: 'AUTH_FAILED',
  permission_denied: 'PERMISSION_DENIED',
  key_not_found: 'KEY_NOT_FOUND',
  product_not_found: 'PRODUCT_NOT_FOUND',
  terminated: 'KEY_TERMINATED',
  not_activated: 'NOT_ACTIVATED',
  expired: 'KEY_EXPIRED',
  hwid_in_use: 'INSTALLATION_IN_USE',
  activation_limit: 'ACTIVATION_LIMIT',
  feature_not_applicable: 'FEATURE_NOT_APPLICABLE',
  type_conflict: 'TYPE_CONFLICT',
  quota_exceeded: 'QUOTA_EXCEEDED',
  ip_bound_elsewhere: 'INVALID_REQUEST',
  renew_refused: 'RENEW_REFUSED',
  cannot_terminate: 'CANNOT_TERMINATE',
  note_too_long: 'INVALID_REQUEST',
  bad_request: 'INVALID_REQUEST',
  internal: 'INTERNAL_ERROR',
};

/** What the soap package's server turns into a SOAP 1.1 Fault (HTTP 500). */
export interface ThrownSoapFault {
  Fault: {
    faultcode: string;
    faultstring: string;
    detail: { KaFault: Record<string, unknown> };
    statusCode: number;
  };
}

/**
 * A SOAP fault for one of our codes: `soap:Server` when retryable (the KA's side failed),
 * `soap:Client` otherwise (the request cannot succeed as sent).
 */
export function soapFault(code: SoapFaultCode, message: string, quota?: QuotaRefusal): ThrownSoapFault {
  const { retryable } = SOAP_FAULTS[code];
  const quotaFacts = quota
    ? compact({ QuotaUnit: quota.unit, QuotaRemaining: quota.remaining, QuotaReserved: quota.reserved })
    : {};
  return {
    Fault: {
      faultcode: retryable ? 'soap:Server' : 'soap:Client',
      faultstring: message,
      detail: {
        KaFault: {
          attributes: { xmlns: SOAP_KA_NAMESPACE },
          Code: code,
          Retryable: retryable,
          Message: message,
          ...quotaFacts,
        },
      },
      statusCode: 500,
    },
  };
}

/** An injected `result` fault's code: one of ours, an authority code, else INTERNAL_ERROR. */
export function injectedFault(code: string | number, message?: string): ThrownSoapFault {
  const text = String(code);
  const ours = isSoapFaultCode(text) ? text : (FAULT_FOR[text as AuthorityErrorCode] ?? 'INTERNAL_ERROR');
  return soapFault(ours, message ?? 'Injected failure');
}

/** Any failure inside an operation, as a SOAP fault; never a stack trace on the wire. */
export function toSoapFault(error: unknown): ThrownSoapFault {
  if (error && typeof error === 'object' && 'Fault' in error) return error as ThrownSoapFault;
  if (error instanceof AuthorityError) return soapFault(FAULT_FOR[error.code], error.message, error.quota);
  return soapFault('INTERNAL_ERROR', 'Internal error');
}

const escapeXml = (value: string): string =>
  value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

/**
 * A SOAP 1.1 fault envelope written here, for what the soap package's server cannot answer
 * properly: an envelope it would crash on or misread. `Client` and `Server` faults carry the
 * KaFault detail of `code`; `VersionMismatch` carries the SOAP 1.2 Upgrade header instead
 * (SOAP 1.2 part 1, appendix A), naming the envelope this KA speaks.
 */
export function faultEnvelope(
  faultcode: 'VersionMismatch' | 'Client' | 'Server',
  message: string,
  code?: SoapFaultCode,
): string {
  const text = escapeXml(message);
  const header =
    faultcode === 'VersionMismatch'
      ? `<soap:Header><upg:Upgrade xmlns:upg="http://www.w3.org/2003/05/soap-envelope"><upg:SupportedEnvelope qname="ns1:Envelope" xmlns:ns1="${SOAP11}"/></upg:Upgrade></soap:Header>`
      : '';
  const kaFault = code ?? (faultcode === 'Server' ? 'INTERNAL_ERROR' : 'INVALID_REQUEST');
  const detail =
    faultcode === 'VersionMismatch'
      ? ''
      : `<detail><KaFault xmlns="${SOAP_KA_NAMESPACE}"><Code>${kaFault}</Code><Retryable>${SOAP_FAULTS[kaFault].retryable}</Retryable><Message>${text}</Message></KaFault></detail>`;
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11}">${header}<soap:Body><soap:Fault><faultcode>soap:${faultcode}</faultcode><faultstring>${text}</faultstring>${detail}</soap:Fault></soap:Body></soap:Envelope>`;
}
