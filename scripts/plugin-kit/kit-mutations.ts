// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the mutations are source text of the plugin, template literals included
/**
 * One mistake a plugin author makes, as a one-line edit of plugins/rest-ka (or of its copy of
 * the SDK, where the SDK does the job for it). The kit must fail on each, in one of `tests`,
 * with a message containing `hint` (what to fix).
 */
export interface KitMutation {
  name: string;
  /** Path in the copied tree: `plugins/rest-ka/...` or `src/plugin-sdk/...`. */
  file: string;
  find: string;
  replace: string;
  /** Kit test titles (substrings) that must catch it; only those run for this mistake. */
  tests: string[];
  hint: string;
}

const ADAPTER = 'plugins/rest-ka/src/rest-ka-adapter.ts';

export const KIT_MUTATIONS: KitMutation[] = [
  {
    name: 'logs the Authorization header',
    file: ADAPTER,
    find: '      errorCodes: REST_ERRORS,\n    });',
    replace:
      "      errorCodes: REST_ERRORS,\n    });\n    context.logger.debug({ headers: { authorization: `Basic ${Buffer.from(`${settings.login}:${settings.password}`).toString('base64')}` } }, 'KA client ready');",
    tests: ['issueKey returns the new key'],
    hint: 'Authorization',
  },
  {
    name: "keeps the KA's message with the password it echoes",
    file: 'src/plugin-sdk/json-api-client.ts',
    find: 'kaMessage: detail.message === undefined ? undefined : this.scrub(detail.message),',
    replace: 'kaMessage: detail.message,',
    tests: ['a permanent KA error is reported as such'],
    hint: 'secret setting value',
  },
  {
    name: 'classifies 5xx as permanent',
    file: 'src/plugin-sdk/http-status.ts',
    find: "if (status >= 500) return { code: status === 500 ? 'ka_internal' : 'unavailable', retryable: true };",
    replace: "if (status >= 500) return { code: status === 500 ? 'ka_internal' : 'unavailable', retryable: false };",
    tests: ['a bare HTTP 5xx to issueKey'],
    hint: 'retryable must be true',
  },
  {
    name: 'classifies 404 as retryable',
    file: 'src/plugin-sdk/http-status.ts',
    find: "    case 410:\n      return { code: 'not_found', retryable: false };",
    replace: "    case 410:\n      return { code: 'not_found', retryable: true };",
    tests: ['HTTP 404 to issueKey'],
    hint: 'retryable must be false',
  },
  {
    name: 'turns a garbled lookup answer into "no key"',
    file: ADAPTER,
    find: "const keys = await this.api.call('GET', '/30/keys', { query: { externalId: order.reference }, read: read.keys });",
    replace:
      "const keys = await this.api.call('GET', '/30/keys', { query: { externalId: order.reference }, read: read.keys }).catch((e: { code?: string }) => (e.code === 'protocol' ? [] : Promise.reject(e)));",
    tests: ['a lookup that gets a garbled answer'],
    hint: 'proved absent',
  },
  {
    name: 'matches the reference by prefix',
    file: ADAPTER,
    find: 'key.externalId === order.reference &&',
    replace: 'key.externalId?.startsWith(order.reference) &&',
    tests: ['findKeyByRef matches our reference exactly'],
    hint: 'compare the reference exactly',
  },
  {
    name: 'renews with the wrong verb',
    file: ADAPTER,
    find: "this.api.call('PUT', apiPath`/30/keys/${keyNumber}/renew`",
    replace: "this.api.call('POST', apiPath`/30/keys/${keyNumber}/renew`",
    tests: ['declared renew works'],
    hint: 'declared renew failed at the KA',
  },
  {
    name: 'terminates nothing',
    file: ADAPTER,
    find: "await this.api.call('DELETE', apiPath`/30/keys/${keyNumber}`, { read: read.key });",
    replace: "await this.api.call('GET', apiPath`/30/keys/${keyNumber}`, { read: read.key });",
    tests: ['declared terminate works'],
    hint: 'terminate must terminate the key at the KA',
  },
  {
    name: 'suspends nothing',
    file: ADAPTER,
    find: "await this.api.call('PUT', apiPath`/30/keys/${keyNumber}/suspend`, { json: {}, read: read.key });",
    replace: "await this.api.call('GET', apiPath`/30/keys/${keyNumber}`, { read: read.key });",
    tests: ['declared suspend works'],
    hint: 'suspend must suspend the key at the KA',
  },
  {
    name: 'ignores maxResponseBytes',
    file: ADAPTER,
    find: 'maxResponseBytes: settings.maxResponseBytes,',
    replace: 'maxResponseBytes: 64 * 1024 * 1024,',
    tests: ['larger than maxResponseBytes'],
    hint: 'to httpRequest or JsonApiClient',
  },
  {
    name: 'accepts a file name with a path',
    file: ADAPTER,
    find: 'fileName: safeFileName(file.fileName, `${file.keyNumber}.xml`),',
    replace: 'fileName: file.fileName,',
    tests: ['stored without its path'],
    hint: 'carries a path',
  },
  {
    name: "drops the order's quantity",
    file: ADAPTER,
    find: '      quantity: order.quantity,\n',
    replace: '',
    tests: ["the order's quantity, period and features reach the KA"],
    hint: 'quantity',
  },
  {
    name: "drops the order's period",
    file: ADAPTER,
    find: '      periodMonths: order.periodMonths,\n',
    replace: '',
    tests: ["the order's quantity, period and features reach the KA"],
    hint: 'send order.periodMonths',
  },
  {
    name: "drops the order's features",
    file: ADAPTER,
    find: '      features: order.features,\n',
    replace: '',
    tests: ["the order's quantity, period and features reach the KA"],
    hint: 'send order.features',
  },
  {
    name: 'sends the create again when its answer is lost',
    file: ADAPTER,
    find: "return issuedKey(await this.api.call('POST', '/30/keys', { json, read: read.key }));",
    replace:
      "return issuedKey(await this.api.call('POST', '/30/keys', { json, read: read.key }).catch(() => this.api.call('POST', '/30/keys', { json, read: read.key })));",
    tests: ['where create is not idempotent'],
    hint: 'never send a create again',
  },
  {
    name: 'renews from today instead of from the expiry',
    file: ADAPTER,
    find: 'const json = { periodMonths: options.periodMonths };',
    replace: "const json = { periodMonths: options.periodMonths, startFrom: 'now' };",
    tests: ['renew adds the period asked to the current expiry'],
    hint: 'not to today',
  },
  {
    name: 'renews ignoring the period asked',
    file: ADAPTER,
    find: 'const json = { periodMonths: options.periodMonths };',
    replace: 'const json = {};',
    tests: ['renew adds the period asked to the current expiry'],
    hint: 'and send the',
  },
  {
    name: "reports an expiry it computed instead of the KA's",
    file: 'plugins/rest-ka/src/rest-ka-answers.ts',
    find: '    expiresAt: value.expiresAt,\n',
    replace: '    expiresAt: new Date(value.createdAt.getTime() + 365 * 24 * 60 * 60 * 1000),\n',
    tests: ["issueKey reports the key's term facts"],
    hint: 'must report expiresAt',
  },
  {
    name: 'does not tell a lease from a fixed term',
    file: 'plugins/rest-ka/src/rest-ka-answers.ts',
    find: '    termKind: value.termKind,\n',
    replace: '',
    tests: ["issueKey reports the key's term facts"],
    hint: 'must report termKind',
  },
  {
    name: "getKeyInfo leaves out the file's revision",
    file: 'plugins/rest-ka/src/rest-ka-answers.ts',
    find: '    ...issuedKey(value),\n',
    replace: '    ...issuedKey(value),\n    revision: undefined,\n',
    tests: ['a renewal whose answer is lost is settled by getKeyInfo'],
    hint: 'getKeyInfo must report the new file revision',
  },
  {
    name: 'changes the quantity by a different amount than asked',
    file: ADAPTER,
    find: 'const json = { quantity: change.quantity };',
    replace: 'const json = { quantity: change.quantity + 1 };',
    tests: ['declared changeQuantity works'],
    hint: 'changeQuantity must set',
  },
  {
    name: "drops the KA's structured remaining quota from a refusal",
    file: 'src/plugin-sdk/http-status.ts',
    find: '    quota: quotaOf(inner.quota),',
    replace: '    quota: undefined,',
    tests: ['declared createAdditionalKey works'],
    hint: 'KaError.quota.remaining',
  },
  {
    name: "ignores an additional key's own expiry",
    file: ADAPTER,
    find: '      ...(request.expiresAt\n        ? { expiresAt: request.expiresAt.toISOString() }',
    replace: '      ...(false\n        ? { expiresAt: request.expiresAt?.toISOString() }',
    tests: ['declared createAdditionalKey works'],
    hint: 'must send expiresAt',
  },
  {
    name: 'deletes an additional key by terminating it (its farm stays active)',
    file: ADAPTER,
    find: "await this.api.call('DELETE', apiPath`/30/additional-keys/${keyNumber}`, { read: read.key });",
    replace: "await this.api.call('DELETE', apiPath`/30/keys/${keyNumber}`, { read: read.key });",
    tests: ['declared deleteAdditionalKey works'],
    hint: 'deactivate its farm',
  },
  {
    name: 'reports every key as a primary',
    file: 'plugins/rest-ka/src/rest-ka-answers.ts',
    find: "keyType: value.kind === 'MAIN' ? 'primary' : 'additional',",
    replace: "keyType: 'primary',",
    tests: ['declared createAdditionalKey works'],
    hint: 'keyType additional',
  },
  {
    name: 'forgets to send the deactivation',
    file: ADAPTER,
    find: 'const path = apiPath`/30/keys/${keyNumber}/deactivate`;',
    replace: 'const path = apiPath`/30/keys/${keyNumber}/activations`;\n    if (path) return;',
    tests: ['declared deactivate works'],
    hint: 'deactivate must',
  },
  {
    name: "loses the farms' move counts",
    file: 'plugins/rest-ka/src/rest-ka-answers.ts',
    find: '      movesLeft: z.number().int().nonnegative().optional(),\n',
    replace: '      movesLeft: z.number().int().nonnegative().optional().transform(() => undefined),\n',
    tests: ['declared listActivations works'],
    hint: 'moves used and left',
  },
];
