// What every ava run shares; `package.json` keeps the same for `npx ava <files>` (all tests).
import { readFileSync } from 'node:fs';

const { ava } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

export default ava;
