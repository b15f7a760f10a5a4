import { AuthorityError, type LicenseAuthority } from '../../../src/reference-ka/index.js';
import { METHODS } from './reference-methods.js';
import { RESULT_CODE_FOR, ResultCodeError } from './reference-result-codes.js';
import type { MethodCall } from './xmlrpc-codec.js';
import type { XmlRpcStruct } from './xmlrpc-value.js';

const PREFIX = 'partner10.';

/** A call the server cannot route: answered as an XML-RPC fault, not a result code. */
export class DispatchFault extends Error {
  constructor(
    readonly faultCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'DispatchFault';
  }
}

/** `partner10.createKey` → `createKey`, the operation name faults are armed under. */
export function operationOf(methodName: string): string {
  return methodName.startsWith(PREFIX) ? methodName.slice(PREFIX.length) : methodName;
}

/**
 * Route a decoded call: find the method and its arity form, check AuthInfo, run it. Business
 * refusals come back as ordinary structs with a non-1xx resultCode, as ka-protocol.md says.
 */
export function dispatch(authority: LicenseAuthority, call: MethodCall): XmlRpcStruct {
  const forms = call.methodName.startsWith(PREFIX) ? METHODS[operationOf(call.methodName)] : undefined;
  if (!forms) throw new DispatchFault(-32601, `No such method ${call.methodName.slice(0, 80)}`);
  const arity = call.params.length - 1;
  const handler = forms[arity];
  if (!handler) {
    const known = Object.keys(forms).join(', ');
    throw new DispatchFault(-32602, `${call.methodName} takes AuthInfo plus ${known} parameters, got ${arity}`);
  }
  try {
    const auth = call.params[0];
    if (!auth || typeof auth !== 'object' || Array.isArray(auth) || auth instanceof Date || Buffer.isBuffer(auth)) {
      throw new ResultCodeError(400, 'AuthInfo must be a struct');
    }
    const { login, password } = auth as XmlRpcStruct;
    if (typeof login !== 'string' || typeof password !== 'string' || login.length >= 256 || password.length >= 64) {
      throw new ResultCodeError(400, 'Malformed AuthInfo');
    }
    const account = authority.authenticate(login, password);
    return handler({ authority, clientId: account.clientId }, call.params.slice(1));
  } catch (error) {
    if (error instanceof ResultCodeError) return { resultCode: error.resultCode, resultDesc: error.message };
    if (error instanceof AuthorityError) return { resultCode: RESULT_CODE_FOR[error.code], resultDesc: error.message };
    return { resultCode: 300, resultDesc: 'Internal error, try later' };
  }
}
