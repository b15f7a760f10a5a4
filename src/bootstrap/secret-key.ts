import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Config, ConfigError } from '../config/config.js';
import { SecretBox } from '../infra/db/secret-box.js';

/** The key file of an SQLite database: beside it, `<database file>.key`. */
export function secretKeyFileOf(databaseUrl: string): string | undefined {
  if (!databaseUrl.startsWith('sqlite:')) return undefined;
  const file = databaseUrl.slice('sqlite:'.length);
  return file === ':memory:' ? undefined : `${file}.key`;
}

function readKeyFile(file: string): SecretBox {
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32)
    throw new ConfigError([
      `${file}: not a Keyway secret key (32 bytes in base64); restore it from the backup of this database, or set KEYWAY_SECRET_KEY to the key the secrets were stored with`,
    ]);
  return new SecretBox(key);
}

/**
 * Creates the key file unless another process just did: written whole under a temporary
 * name (owner-only), then linked into place, which fails when the file exists. Everyone then
 * reads the one that won.
 */
function createKeyFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temporary, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(temporary, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.unlinkSync(temporary);
  }
}

/**
 * The key that seals the secrets Keyway stores: `KEYWAY_SECRET_KEY` when set; on the embedded
 * SQLite default, the key file beside the database, generated at the first start (`create`)
 * and read by every later process; for an in-memory database, a key that dies with it.
 * Scripts pass `create: false` and get undefined when there is no key yet. MySQL always has
 * `KEYWAY_SECRET_KEY` (the configuration refuses to load without it).
 */
export function openSecretBox(
  config: Pick<Config, 'databaseUrl' | 'secretKey'>,
  options: { create: boolean },
): SecretBox | undefined {
  if (config.secretKey) return new SecretBox(config.secretKey);
  if (config.databaseUrl === 'sqlite::memory:') return new SecretBox(randomBytes(32));
  const file = secretKeyFileOf(config.databaseUrl);
  if (!file) throw new ConfigError(['KEYWAY_SECRET_KEY: required with a MySQL database']);
  if (!fs.existsSync(file)) {
    if (!options.create) return undefined;
    createKeyFile(file);
  }
  return readKeyFile(file);
}
