import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One license the target accepted. */
export interface RecordedInstall {
  licenseId: string;
  keyNumber: string;
  product: string;
  productKey?: string;
  files: Array<{ fileName: string; contentType: string; sha256: string; size: number }>;
  receivedAt: Date;
}

export interface InstallTargetServer {
  url: string;
  /** Installs accepted so far, oldest first. A repeated license id replaces the earlier one. */
  installs(): RecordedInstall[];
  /** Answer the next `times` installs with `status` (default once). */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

export interface InstallTargetOptions {
  port?: number;
  host?: string;
  /** Bearer token the target requires; none when omitted. */
  token?: string;
  /** Largest body accepted. */
  maxBodyBytes?: number;
}

interface PostedFile {
  fileName?: unknown;
  contentType?: unknown;
  sha256?: unknown;
  contentBase64?: unknown;
}

/**
 * A tiny HTTP install target: what a hosting panel's license endpoint would be. It accepts
 * what `deliverToHttpTarget` posts, checks the bearer token and every file's sha256, and
 * records the install. Serves tests and the demo.
 */
export function startInstallTargetServer(options: InstallTargetOptions = {}): Promise<InstallTargetServer> {
  const recorded = new Map<string, RecordedInstall>();
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;
  let failures: { status: number; left: number } | undefined;

  const reply = (res: http.ServerResponse, status: number, body: object): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') return reply(res, 405, { error: 'POST only' });
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
      return reply(res, 401, { error: 'bad token' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) {
        reply(res, 413, { error: 'too large' });
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      if (failures && failures.left > 0) {
        failures.left -= 1;
        return reply(res, failures.status, { error: 'told to fail' });
      }
      const install = readInstall(Buffer.concat(chunks));
      if (typeof install === 'string') return reply(res, 400, { error: install });
      recorded.set(install.licenseId, install);
      reply(res, 200, { installed: install.licenseId });
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/install`,
        installs: () => [...recorded.values()],
        failNext: (status, times = 1) => {
          failures = { status, left: times };
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Parse and check a posted install; a string is the reason it was refused. */
function readInstall(body: Buffer): RecordedInstall | string {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return 'body is not JSON';
  }
  const { licenseId, keyNumber, product, productKey, files } = parsed;
  if (typeof licenseId !== 'string' || typeof keyNumber !== 'string' || typeof product !== 'string') {
    return 'licenseId, keyNumber and product are required';
  }
  if (!Array.isArray(files) || files.length === 0) return 'at least one file is required';
  const checked: RecordedInstall['files'] = [];
  for (const file of files as PostedFile[]) {
    if (typeof file.fileName !== 'string' || typeof file.contentBase64 !== 'string') return 'bad file entry';
    const content = Buffer.from(file.contentBase64, 'base64');
    const sha256 = createHash('sha256').update(content).digest('hex');
    if (sha256 !== file.sha256) return `sha256 mismatch for ${file.fileName}`;
    checked.push({
      fileName: file.fileName,
      contentType: typeof file.contentType === 'string' ? file.contentType : 'application/octet-stream',
      sha256,
      size: content.length,
    });
  }
  return {
    licenseId,
    keyNumber,
    product,
    productKey: typeof productKey === 'string' ? productKey : undefined,
    files: checked,
    receivedAt: new Date(),
  };
}
