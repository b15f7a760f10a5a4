import type { DbOrTx } from '../../infra/db/database.js';
import type { StoredKaConfiguration } from './ka-configuration-store.js';

/** A configuration as the features above name it (they never import the store). */
export type { StoredKaConfiguration } from './ka-configuration-store.js';

/**
 * Reads KA configurations: what licenses (their tabs) and uploads (the configuration a new
 * license is for) need of the KA configurations feature. `KaConfigurationStore` answers it; the
 * composition root hands it over, so no feature imports the store.
 */
export interface KaConfigurationReader {
  get(db: DbOrTx, id: number): Promise<StoredKaConfiguration | undefined>;
  /** Every configuration, oldest first. */
  list(db: DbOrTx): Promise<StoredKaConfiguration[]>;
}
