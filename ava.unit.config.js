// `npm run test:unit`: tests that need no database server, HTTP server or Redis (fakes, pure
// rules, in-memory engines); seconds. Everything else is `npm run test:integration`.
import base from './ava.base.config.js';

export const unitFiles = [
  'test/unit/**/*.test.ts',
  'test/provisioning/key-claim.test.ts',
  'test/provisioning/retry-policy.test.ts',
  'test/provisioning/ka-answer-checks.test.ts',
  'test/queue/backoff.test.ts',
  'test/infra/bounded-text.test.ts',
  'test/infra/secret-box.test.ts',
  'test/features/uploads/license-csv.test.ts',
  'test/reference-ka/bounded-xml-reader.test.ts',
  'plugins/parallels-ka/test/xmlrpc-codec.test.ts',
];

// Run as one process (test/unit-suite.ts loads them all): process start-up dominates otherwise.
export default { ...base, files: ['test/unit-suite.ts'] };
