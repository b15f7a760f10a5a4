import {
  AuthorityError,
  LicenseAuthority,
  type QuotaRefusal,
  type ReferenceAnswer,
  type ReferenceCall,
  type ReferenceFront,
  type ReferenceHttpServer,
  type ReferenceRequest,
  startReferenceHttpServer,
} from '../../../src/reference-ka/index.js';
import { CONTAINER_PRODUCTS, SAAS_PRODUCTS } from './reference-catalogue.js';
import { type Input, OPERATIONS, type OperationName, RestRefusal } from './reference-operations.js';
import { REST_ERROR_FOR } from './reference-error-map.js';
import { isRestErrorCode, REST_ERRORS, type RestErrorCode } from './rest-ka-error-codes.js';

export interface ReferenceRestKaOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /**
   * Defaults to a fresh authority with the demo account. The container key types
   * (`CONTAINER_PRODUCTS`) are added to it when missing, so one authority serves every front.
   */
  authority?: LicenseAuthority;
  maxRequestBytes?: number;
}

/** `url` is the API's base: the paths start with `/30/`. */
export type ReferenceRestKa = ReferenceHttpServer;

const ROUTES: Array<{ method: string; path: RegExp; operation: OperationName }> = [
  { method: 'GET', path: /^\/30\/ping$/, operation: 'ping' },
  { method: 'GET', path: /^\/30\/products$/, operation: 'listProducts' },
  { method: 'POST', path: /^\/30\/keys$/, operation: 'createKey' },
  { method: 'GET', path: /^\/30\/keys$/, operation: 'findKeys' },
  { method: 'GET', path: /^\/30\/keys\/([^/]+)$/, operation: 'getKey' },
  { method: 'DELETE', path: /^\/30\/keys\/([^/]+)$/, operation: 'terminateKey' },
  { method: 'GET', path: /^\/30\/keys\/([^/]+)\/retrieve$/, operation: 'retrieveKey' },
  { method: 'PUT', path: /^\/30\/keys\/([^/]+)\/renew$/, operation: 'renewKey' },
  { method: 'POST', path: /^\/30\/keys\/([^/]+)\/features$/, operation: 'addFeatures' },
  { method: 'PUT', path: /^\/30\/keys\/([^/]+)\/suspend$/, operation: 'suspendKey' },
  { method: 'PUT', path: /^\/30\/keys\/([^/]+)\/resume$/, operation: 'resumeKey' },
  { method: 'PUT', path: /^\/30\/keys\/([^/]+)\/quantity$/, operation: 'changeQuantity' },
  { method: 'POST', path: /^\/30\/keys\/([^/]+)\/additional-keys$/, operation: 'createAdditionalKey' },
  { method: 'PATCH', path: /^\/30\/additional-keys\/([^/]+)$/, operation: 'modifyAdditionalKey' },
  { method: 'DELETE', path: /^\/30\/additional-keys\/([^/]+)$/, operation: 'deleteAdditionalKey' },
  { method: 'GET', path: /^\/30\/keys\/([^/]+)\/activations$/, operation: 'listActivations' },
  { method: 'POST', path: /^\/30\/keys\/([^/]+)\/deactivate$/, operation: 'deactivate' },
  { method: 'GET', path: /^\/30\/usage$/, operation: 'listUsage' },
];

const json = (status: number, body: unknown, headers: Record<string, string> = {}): ReferenceAnswer => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

function refusal(code: RestErrorCode, message: string, quota?: QuotaRefusal): ReferenceAnswer {
  const { status, retryable } = REST_ERRORS[code];
  return json(status, { error: { code, message, quota } }, retryable ? { 'retry-after': '1' } : {});
}

/** The partner of the Basic credentials; `AuthorityError` auth_failed otherwise. */
function clientOf(authority: LicenseAuthority, request: ReferenceRequest): number {
  const [scheme, token] = String(request.headers.authorization ?? '').split(' ');
  const [login = '', ...rest] =
    scheme === 'Basic' && token ? Buffer.from(token, 'base64').toString('utf8').split(':') : [];
  return authority.authenticate(login, rest.join(':')).clientId;
}

function front(authority: LicenseAuthority): ReferenceFront {
  return {
    route(request): ReferenceCall | ReferenceAnswer {
      const matches = ROUTES.filter((r) => r.path.test(request.path));
      const route = matches.find((r) => r.method === request.method);
      if (!route) {
        if (matches.length === 0)
          return json(404, { error: { code: 'NO_SUCH_RESOURCE', message: `No resource ${request.path}` } });
        return json(
          405,
          { error: { code: 'METHOD_NOT_ALLOWED', message: `${request.method} is not allowed here` } },
          { allow: matches.map((r) => r.method).join(', ') },
        );
      }
      return {
        operation: route.operation,
        run: () => {
          try {
            const clientId = clientOf(authority, request);
            let body: Input = {};
            if (request.body.length) {
              const parsed = JSON.parse(request.body.toString('utf8')) as unknown;
              if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
                throw new RestRefusal('INVALID_REQUEST', 'The body must be a JSON object');
              body = parsed as Input;
            }
            const keyNumber = decodeURIComponent(route.path.exec(request.path)?.[1] ?? '');
            const answer = OPERATIONS[route.operation]({ authority, clientId, body, query: request.query, keyNumber });
            return json(answer.status ?? 200, answer.body);
          } catch (error) {
            if (error instanceof RestRefusal) return refusal(error.code, error.message);
            if (error instanceof AuthorityError) return refusal(REST_ERROR_FOR[error.code], error.message, error.quota);
            if (error instanceof SyntaxError) return refusal('INVALID_REQUEST', 'The body is not JSON');
            return refusal('INTERNAL_ERROR', 'Internal error');
          }
        },
      };
    },
    refusal: (_operation, code, message) => {
      const text = String(code);
      return refusal(
        isRestErrorCode(text) ? text : (REST_ERROR_FOR[text as keyof typeof REST_ERROR_FOR] ?? 'INTERNAL_ERROR'),
        message ?? 'Injected failure',
      );
    },
    withFileName: (answer, fileName) => {
      const parsed = JSON.parse(String(answer.body)) as { file?: Record<string, unknown> };
      if (!parsed.file) return answer;
      return { ...answer, body: JSON.stringify({ file: { ...parsed.file, fileName } }) };
    },
    malformed: '{"key": {"keyNumber": "VZC.',
    // Arrays nested as deep as fit, or one array of many numbers.
    hostile: { head: '{"keys":', tail: '}', open: '[', close: ']', listStart: '[', item: '0,', listEnd: '0]' },
  };
}

/**
 * The reference KA speaking Partner API 3.0 (README.md) over a `LicenseAuthority`, with the
 * shared admin surface at `/_reference/` and the authority's faults, armed under the
 * operation names of `OPERATIONS` (`authority.injectFault('createKey', {kind: 'drop'})`).
 * Keys live in memory: a restarted server starts empty.
 */
export function startReferenceRestKa(options: ReferenceRestKaOptions = {}): Promise<ReferenceRestKa> {
  const authority = options.authority ?? new LicenseAuthority({ demo: true });
  for (const product of [...CONTAINER_PRODUCTS, ...SAAS_PRODUCTS]) {
    if (!authority.listProducts().some((p) => p.id === product.id)) authority.addProduct(product);
  }
  return startReferenceHttpServer({
    authority,
    front: front(authority),
    port: options.port,
    host: options.host,
    maxRequestBytes: options.maxRequestBytes,
  });
}
