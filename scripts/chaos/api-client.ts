/** One API exchange as the campaign saw it. */
export interface ApiAnswer<T = unknown> {
  /** 0 when no answer came (refused, reset, timed out). */
  status: number;
  body: T;
  /** Raw text of the answer (for non-JSON answers and reports). */
  text: string;
  requestId?: string;
  error?: string;
}

/** A 5xx or a missing answer, kept for the report. */
export interface FailedExchange {
  method: string;
  path: string;
  status: number;
  detail: string;
  requestId?: string;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is (no JSON encoding), with `contentType`. */
  rawBody?: string | Buffer | FormData;
  contentType?: string;
  headers?: Record<string, string>;
  /** `null`: no Authorization header. */
  token?: string | null;
  timeoutMs?: number;
}

/**
 * Keyway's HTTP API as the campaign calls it: every answer is returned (never thrown), and
 * every 5xx or missing answer is counted with its request id, so a scenario can report them.
 */
export class ApiClient {
  readonly serverErrors: FailedExchange[] = [];
  readonly noAnswers: FailedExchange[] = [];
  calls = 0;

  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<ApiAnswer<T>> {
    this.calls += 1;
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? this.token : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | Uint8Array<ArrayBuffer> | FormData | undefined;
    if (options.rawBody !== undefined) {
      body = Buffer.isBuffer(options.rawBody) ? new Uint8Array(options.rawBody) : options.rawBody;
      if (options.contentType) headers['content-type'] = options.contentType;
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON (a CSV export, a file): the text is the body.
      }
      const requestId = res.headers.get('x-request-id') ?? undefined;
      if (res.status >= 500)
        this.serverErrors.push({ method, path, status: res.status, detail: text.slice(0, 300), requestId });
      return { status: res.status, body: parsed as T, text, requestId };
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
      this.noAnswers.push({ method, path, status: 0, detail });
      return { status: 0, body: undefined as T, text: '', error: detail };
    }
  }

  /** For set-up calls that must work: the body of a 2xx, or an error saying what came back. */
  async expect<T = Record<string, unknown>>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const answer = await this.call<T>(method, path, options);
    if (answer.status < 200 || answer.status >= 300) {
      throw new Error(`${method} ${path} answered ${answer.status || answer.error}: ${answer.text.slice(0, 500)}`);
    }
    return answer.body;
  }
}
