import type { KaErrorCode } from '../../../src/plugin-sdk/index.js';

/** The `KaFault/Code` values the SOAP KA documents (README.md, "Faults"). */
export type SoapFaultCode =
  | 'AUTH_FAILED'
  | 'PERMISSION_DENIED'
  | 'KEY_NOT_FOUND'
  | 'PRODUCT_NOT_FOUND'
  | 'FEATURE_NOT_APPLICABLE'
  | 'KEY_TERMINATED'
  | 'KEY_EXPIRED'
  | 'NOT_ACTIVATED'
  | 'INSTALLATION_IN_USE'
  | 'ACTIVATION_LIMIT'
  | 'QUOTA_EXCEEDED'
  | 'TYPE_CONFLICT'
  | 'RENEW_REFUSED'
  | 'CANNOT_TERMINATE'
  | 'INVALID_REQUEST'
  | 'SERVICE_BUSY'
  | 'INTERNAL_ERROR';

/**
 * Each fault's retryable flag (as the KA also sends it in `KaFault/Retryable`) and the
 * `KaError` code Keyway acts on. Shared by the adapter and the reference server so the two
 * cannot drift apart.
 */
export const SOAP_FAULTS: Record<SoapFaultCode, { retryable: boolean; kaCode: KaErrorCode }> = {
  AUTH_FAILED: { retryable: false, kaCode: 'auth_failed' },
  PERMISSION_DENIED: { retryable: false, kaCode: 'permission_denied' },
  KEY_NOT_FOUND: { retryable: false, kaCode: 'not_found' },
  PRODUCT_NOT_FOUND: { retryable: false, kaCode: 'not_found' },
  FEATURE_NOT_APPLICABLE: { retryable: false, kaCode: 'business_rule' },
  KEY_TERMINATED: { retryable: false, kaCode: 'business_rule' },
  KEY_EXPIRED: { retryable: false, kaCode: 'business_rule' },
  NOT_ACTIVATED: { retryable: false, kaCode: 'business_rule' },
  INSTALLATION_IN_USE: { retryable: false, kaCode: 'business_rule' },
  ACTIVATION_LIMIT: { retryable: false, kaCode: 'business_rule' },
  QUOTA_EXCEEDED: { retryable: false, kaCode: 'business_rule' },
  TYPE_CONFLICT: { retryable: false, kaCode: 'business_rule' },
  RENEW_REFUSED: { retryable: false, kaCode: 'business_rule' },
  CANNOT_TERMINATE: { retryable: false, kaCode: 'business_rule' },
  INVALID_REQUEST: { retryable: false, kaCode: 'bad_request' },
  SERVICE_BUSY: { retryable: true, kaCode: 'unavailable' },
  INTERNAL_ERROR: { retryable: true, kaCode: 'ka_internal' },
};

export function isSoapFaultCode(value: unknown): value is SoapFaultCode {
  return typeof value === 'string' && Object.hasOwn(SOAP_FAULTS, value);
}

/** The one namespace of the WSDL and its schema. */
export const SOAP_KA_NAMESPACE = 'urn:keyway:ka:subscription:1';
