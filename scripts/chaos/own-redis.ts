import net from 'node:net';
import { Redis } from 'ioredis';
import { type ManagedProcess, ProcessGroup } from './child-processes.js';

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it right away). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The campaign's own `redis-server` on a free port, without persistence, so it can be
 * flushed, killed and restarted without touching the Redis others use. A restart comes back
 * empty on the same port, as a Redis without persistence does after a crash.
 */
export class OwnRedis {
  private process: ManagedProcess | undefined;
  private starts = 0;
  private stopped = false;

  private constructor(
    private readonly group: ProcessGroup,
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(group: ProcessGroup, dir: string): Promise<OwnRedis> {
    const redis = new OwnRedis(group, await freePort(), dir);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it (again) on its port and waits until it answers PING. */
  async restart(): Promise<void> {
    if (this.stopped || this.process?.isAlive()) return;
    this.starts += 1;
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
    ];
    this.process = this.group.spawn('redis', 'redis-server', args);
    const started = this.process;
    await waitUntil(
      async () => {
        if (!started.isAlive())
          throw new Error(
            `redis-server exited at start (start ${this.starts}); its log ends with:\n${ProcessGroup.tail(started.logFile)}`,
          );
        return this.ping();
      },
      `redis-server on port ${this.port}`,
      15_000,
    );
  }

  /** kill -9: every connection drops, every key is gone. */
  async kill(): Promise<void> {
    await this.process?.kill9();
  }

  async flushAll(): Promise<void> {
    await this.command((client) => client.flushall());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.process?.stop(2000);
  }

  private async ping(): Promise<boolean> {
    try {
      return (await this.command((client) => client.ping())) === 'PONG';
    } catch {
      return false;
    }
  }

  private async command<T>(run: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      connectTimeout: 1000,
      retryStrategy: () => null,
    });
    // Failures come back from connect() and the command; the event would only repeat them.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await run(client);
    } finally {
      client.disconnect();
    }
  }
}
