import { spawn } from 'node:child_process';

/** What a command-line tool printed and how it ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node --import=tsx <script> ...args` as its own process with no stdin (as in CI: stdin is
 * not a terminal and gives nothing) and the given environment on top of this one's.
 */
export function runCli(script: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import=tsx', script, ...args], {
      env: { ...process.env, KEYWAY_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Signs in at the console over HTTP as a browser would (CSRF cookie and field); answers the status and where it leads. */
export async function signInOverHttp(
  url: string,
  email: string,
  password: string,
): Promise<{ status: number; location: string | null }> {
  const form = await fetch(`${url}/sign-in`);
  const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const res = await fetch(`${url}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password, next: '/' }).toString(),
  });
  return { status: res.status, location: res.headers.get('location') };
}
