import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A process the campaign started, with its log file. */
export interface ManagedProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Settles when the process has exited (never rejects). */
  exited: Promise<void>;
  isAlive(): boolean;
  /** SIGKILL, on purpose: not reported as a crash. */
  kill9(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs: number): Promise<void>;
}

/** A process that exited without being told to. */
export interface UnexpectedExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

/**
 * Every child process of the campaign: each is started here, logs to its own file in the
 * run's folder, and is ended by its own pid (never by name) when the campaign ends, fails or
 * is interrupted. A process that exits without being told to is recorded, so a scenario can
 * report Keyway crashing under its fault.
 */
export class ProcessGroup {
  readonly unexpectedExits: UnexpectedExit[] = [];
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly logDir: string) {
    fs.mkdirSync(logDir, { recursive: true });
  }

  spawn(
    name: string,
    command: string,
    args: string[],
    options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ): ManagedProcess {
    const logFile = path.join(this.logDir, `${name.replace(/[^\w.-]+/g, '-')}.log`);
    const fd = fs.openSync(logFile, 'a');
    fs.writeSync(fd, `\n=== ${new Date().toISOString()} start ${name}: ${command} ${args.join(' ')}\n`);
    // No stdin: the campaign runs in CI without a terminal.
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command}): is it installed?`);
    this.children.add(child);
    let told = false;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.children.delete(child);
        if (!told) this.unexpectedExits.push({ name, code, signal, at: Date.now() });
        resolve();
      });
      child.once('error', () => resolve());
    });
    const isAlive = () => child.exitCode === null && child.signalCode === null;
    const signal = (sig: NodeJS.Signals) => {
      told = true;
      if (isAlive()) child.kill(sig);
    };
    return {
      name,
      pid: child.pid,
      logFile,
      exited,
      isAlive,
      async kill9() {
        signal('SIGKILL');
        await exited;
      },
      async stop(graceMs) {
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      },
    };
  }

  /** Last `lines` lines of a log, to explain a process that would not start. */
  static tail(logFile: string, lines = 20): string {
    try {
      return fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Synchronous last resort (process `exit`): SIGKILL whatever is still running. */
  killAllNow(): void {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}
