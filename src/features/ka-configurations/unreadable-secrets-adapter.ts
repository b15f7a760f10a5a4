import type {
  ConnectionCheck,
  IssuedKey,
  KaAdapter,
  KaProduct,
  KeyInfo,
  KeyLookup,
  LicenseFileContent,
  InstallReceipt,
} from '../../plugin-sdk/ka-adapter.js';
import { KaError } from '../../plugin-sdk/ka-error.js';

/**
 * The adapter of a configuration whose secrets this process cannot decrypt (another key, or
 * none). Every call fails with the same permanent error naming the configuration, so the
 * pipeline hands its requests to staff with that reason, the connection test and lifecycle
 * actions show it, and nothing retries in a loop or reaches the KA with a wrong password.
 */
export class UnreadableSecretsAdapter implements KaAdapter {
  constructor(private readonly message: string) {}

  private fail(): Promise<never> {
    return Promise.reject(new KaError(this.message, { code: 'auth_failed', retryable: false }));
  }

  issueKey(): Promise<IssuedKey> {
    return this.fail();
  }
  findKeyByRef(): Promise<KeyLookup> {
    return this.fail();
  }
  retrieveFiles(): Promise<LicenseFileContent[]> {
    return this.fail();
  }
  install(): Promise<InstallReceipt> {
    return this.fail();
  }
  testConnection(): Promise<ConnectionCheck> {
    return this.fail();
  }
  listProducts(): Promise<KaProduct[]> {
    return this.fail();
  }
  getKeyInfo(): Promise<KeyInfo> {
    return this.fail();
  }
  renew(): Promise<IssuedKey> {
    return this.fail();
  }
  upgrade(): Promise<IssuedKey> {
    return this.fail();
  }
  suspend(): Promise<void> {
    return this.fail();
  }
  resume(): Promise<void> {
    return this.fail();
  }
  terminate(): Promise<void> {
    return this.fail();
  }
  async close(): Promise<void> {}
}
