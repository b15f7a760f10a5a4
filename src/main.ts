import { ConfigError, loadConfig } from './config/config.js';
import { createLogger } from './infra/log/logger.js';
import { type RunningKeyway, startKeyway } from './server.js';

/** A wrong environment (or a database Keyway refuses) stops start-up with its message only. */
function exitOnConfigError(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
  throw err;
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (err) {
  exitOnConfigError(err);
}

const logger = createLogger(config.logLevel);
let running: RunningKeyway;
try {
  running = await startKeyway(config, logger);
} catch (err) {
  exitOnConfigError(err);
}

/** What the process may take past its shutdown bound to exit (the bound promises N + 1 s). */
const exitMarginMs = 250;

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  // close() gives requests and jobs the bound; this exits shortly after it whatever still
  // runs (a stuck database call, a Redis that does not answer), so the bound holds within a second.
  const timer = setTimeout(() => {
    logger.error({ shutdownTimeoutMs: config.shutdownTimeoutMs }, 'shutdown took longer than its bound; exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs + exitMarginMs);
  timer.unref();
  try {
    await running.close();
    logger.info('stopped');
    process.exit(0);
  } catch (err) {
    logger.error({ err }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
