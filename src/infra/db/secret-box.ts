import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * A sealed value as stored: `v1:<key id>:<iv>:<ciphertext and tag>`, AES-256-GCM, base64url.
 * The version tells a sealed value from a plain one an older Keyway stored; the key id (a
 * hash of the key, not the key) tells which key sealed it, so a wrong key is named as such
 * rather than reported as damage, and a rotation can tell old values from new.
 */
const sealedPattern = /^v1:([0-9a-f]{8}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22,})$/;

/** Why a sealed value did not open. Carries key ids only, never a value. */
export class SecretUnreadableError extends Error {
  constructor(
    readonly reason: 'other_key' | 'damaged' | 'no_key',
    /** Key id the value was sealed with. */
    readonly sealedWith: string,
    /** Key id of this process, when it has a key. */
    readonly keyId: string | undefined,
  ) {
    super(
      reason === 'other_key'
        ? `it was encrypted with key ${sealedWith} and this process has key ${keyId}`
        : reason === 'no_key'
          ? `it was encrypted with key ${sealedWith} and this process has no key`
          : `it does not decrypt with key ${sealedWith} (damaged, or changed outside Keyway)`,
    );
    this.name = 'SecretUnreadableError';
  }
}

/** The id a stored value names its key by: the first 4 bytes of a hash of the key, in hex. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('keyway secret key id\n').update(key).digest('hex').slice(0, 8);
}

/** True for a value `SecretBox.seal` made (of any key), false for plain text. */
export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && sealedPattern.test(value);
}

/** The key id a sealed value names. */
export function sealedKeyId(value: string): string | undefined {
  return sealedPattern.exec(value)?.[1];
}

/**
 * Seals and opens the secrets Keyway stores (KA passwords, installation secrets) with one
 * 256-bit key. `purpose` (for example `ka-setting:password`) is authenticated with the value,
 * so a sealed value copied into another place does not open there. A value's type survives:
 * it is sealed as JSON.
 */
export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('a secret key is 32 bytes');
    this.keyId = keyIdOf(key);
  }

  seal(value: string | number | boolean, purpose: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `v1:${this.keyId}:${iv.toString('base64url')}:${body.toString('base64url')}`;
  }

  /** The value `seal` was given; throws `SecretUnreadableError` when this key cannot open it. */
  open(sealed: string, purpose: string): string | number | boolean {
    const match = sealedPattern.exec(sealed);
    if (!match) throw new Error('not a sealed value');
    const [, keyId = '', iv = '', body = ''] = match;
    if (keyId !== this.keyId) throw new SecretUnreadableError('other_key', keyId, this.keyId);
    const bytes = Buffer.from(body, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      const plain = Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString(
        'utf8',
      );
      return JSON.parse(plain) as string | number | boolean;
    } catch {
      throw new SecretUnreadableError('damaged', keyId, this.keyId);
    }
  }
}
