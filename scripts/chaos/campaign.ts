import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type InstallTargetServer, startInstallTargetServer } from '../../src/reference-ka/index.js';
import { ApiClient } from './api-client.js';
import { brokenRow } from './campaign-report.js';
import { createCustomer } from './catalog-setup.js';
import { type ChaosDatabase, createChaosDatabase } from './chaos-database.js';
import { type ChaosOptions, seededRandom } from './chaos-options.js';
import { ProcessGroup } from './child-processes.js';
import { KeywayCluster } from './keyway-cluster.js';
import { OwnRedis } from './own-redis.js';
import type { Scenario, ScenarioContext, ScenarioRow } from './scenario.js';

/**
 * The campaign's world and its end: its own database, Redis, install target and Keyway
 * processes, set up once, the scenarios run one after another on them, and everything torn
 * down exactly once, whether the campaign passed, failed, threw or was interrupted.
 */
export class Campaign {
  readonly runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-chaos-'));
  readonly processes = new ProcessGroup(path.join(this.runDir, 'logs'));
  private database: ChaosDatabase | undefined;
  private redis: OwnRedis | undefined;
  private cluster: KeywayCluster | undefined;
  private installTarget: InstallTargetServer | undefined;
  private tearingDown: Promise<void> | undefined;
  private readonly startedAt = Date.now();

  constructor(
    private readonly options: ChaosOptions,
    private readonly print: (line: string) => void,
  ) {}

  log(line: string): void {
    this.print(`[${((Date.now() - this.startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  }

  /** Sets the world up, then runs each scenario, printing its row as soon as it has one. */
  async run(scenarios: Scenario[], onRow: (row: ScenarioRow) => void): Promise<ScenarioRow[]> {
    const { preset } = this.options;
    this.log(`preset ${preset.name}, seed ${this.options.seed}, logs in ${this.runDir}`);
    this.database = await createChaosDatabase(this.options.mysqlUrl);
    this.log(`database ${this.database.name}`);
    this.redis = await OwnRedis.start(this.processes, this.runDir);
    this.log(`own redis-server on port ${this.redis.port}`);
    const installToken = randomBytes(12).toString('hex');
    this.installTarget = await startInstallTargetServer({ token: installToken });
    const adminToken = `kw_chaos_${randomBytes(16).toString('hex')}`;
    this.cluster = await KeywayCluster.start(this.processes, {
      databaseUrl: this.database.url,
      redisUrl: this.redis.url,
      adminToken,
      preset,
      logLevel: this.options.logLevel,
    });
    this.log(`Keyway api at ${this.cluster.apiUrl} and ${preset.workers} worker(s)`);
    const cluster = this.cluster;
    const customerId = await createCustomer(new ApiClient(cluster.apiUrl, adminToken), 'chaos-customer');
    const context: ScenarioContext = {
      preset,
      db: this.database.db,
      cluster,
      redis: this.redis,
      processes: this.processes,
      installTarget: { url: this.installTarget.url, token: installToken },
      customerId,
      adminToken,
      random: seededRandom(this.options.seed),
      newApiClient: () => new ApiClient(cluster.apiUrl, adminToken),
      log: (line) => this.log(line),
    };
    const rows: ScenarioRow[] = [];
    for (const scenario of scenarios) {
      this.log(`${scenario.name}: ${scenario.summary}`);
      let row: ScenarioRow;
      try {
        row = await scenario.run(context);
      } catch (err) {
        row = brokenRow(scenario.name, err);
      }
      // A scenario that broke half-way must not leave the next one without Redis or workers.
      await this.redis.restart().catch(() => undefined);
      await cluster.restore().catch(() => undefined);
      rows.push(row);
      onRow(row);
    }
    return rows;
  }

  /**
   * Ends every process the campaign started (by pid), closes the servers and drops the
   * database (unless kept). Safe to call more than once and from a signal handler.
   */
  teardown(keep: { database: boolean; logs: boolean }): Promise<void> {
    this.tearingDown ??= (async () => {
      await this.cluster?.stop().catch(() => undefined);
      await this.redis?.stop().catch(() => undefined);
      this.processes.killAllNow();
      await this.installTarget?.close().catch(() => undefined);
      if (this.database) {
        if (keep.database) {
          await this.database.keep();
          this.log(`kept database ${this.database.name}`);
        } else {
          await this.database
            .drop()
            .catch((err: unknown) => this.log(`could not drop database ${this.database?.name}: ${String(err)}`));
        }
      }
      if (keep.logs) this.log(`logs kept in ${this.runDir}`);
      else fs.rmSync(this.runDir, { recursive: true, force: true });
    })();
    return this.tearingDown;
  }
}
