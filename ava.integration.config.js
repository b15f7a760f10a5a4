// `npm run test:integration`: every test on real engines (SQLite and MariaDB, Redis, HTTP,
// Chromium), i.e. all but `npm run test:unit`'s.
import base from './ava.base.config.js';
import { unitFiles } from './ava.unit.config.js';

export default { ...base, files: [...base.files, ...unitFiles.map((pattern) => `!${pattern}`)] };
