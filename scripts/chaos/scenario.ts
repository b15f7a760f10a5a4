import type { Db } from '../../src/infra/db/database.js';
import type { ApiClient } from './api-client.js';
import type { ChaosPreset } from './chaos-options.js';
import type { ProcessGroup } from './child-processes.js';
import type { KeywayCluster } from './keyway-cluster.js';
import type { OwnRedis } from './own-redis.js';

/** One row of the campaign's table, with why it fails (if it does) and what else was seen. */
export interface ScenarioRow {
  scenario: string;
  paid: number;
  installed: number;
  needsManual: number;
  stuck: number;
  keysAtKa: number;
  licenses: number;
  duplicates: number;
  serverErrors: number;
  /** Empty when the row passes. */
  failures: string[];
  notes: string[];
}

/** The running system a scenario acts on. Each scenario brings its own KA and configuration. */
export interface ScenarioContext {
  preset: ChaosPreset;
  db: Db;
  cluster: KeywayCluster;
  redis: OwnRedis;
  processes: ProcessGroup;
  installTarget: { url: string; token: string };
  customerId: number;
  adminToken: string;
  random: () => number;
  /** A fresh client, so the scenario's 5xx are its own. */
  newApiClient(): ApiClient;
  /** A progress line on the console (CI shows where a long run is). */
  log(line: string): void;
}

/**
 * A fault scenario: it sets up what it needs, breaks something on purpose while a bounded
 * load runs, puts it right, waits for the pipeline to settle and answers its row.
 */
export interface Scenario {
  /** Lower-case, digits and dashes: the name for `--scenario` and the order references. */
  name: string;
  /** One line for `--list` and the README. */
  summary: string;
  run(context: ScenarioContext): Promise<ScenarioRow>;
}
