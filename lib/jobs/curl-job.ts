import type { Job, JobContext, JobResult, StoreTask } from '../core/job.js';
import { HttpJobFailedError } from './errors/http-job-failed.error.js';
import { InvalidArgumentError } from '../core/errors/invalid-argument.error.js';
import { checkByteCount, checkDurationMs, checkKind, DEFAULT_MAX_OUTPUT_BYTES } from './job-options.js';
import { OutputCapture } from './output-capture.js';

/** Options of {@link CurlJob}. */
export interface CurlJobOptions {
  /** A request (body included) still going after this many ms is aborted and fails. Default 30 000. */
  timeoutMs?: number;
  /**
   * How much of the response body is read and kept in the task's `result`: the first bytes up to
   * this size, followed by a `[truncated]` line when there was more (the rest is not downloaded).
   * Default 64 KiB.
   */
  maxOutputBytes?: number;
}

/** What a {@link CurlJob} sends as its request body: text, or bytes. */
export type CurlJobBody = string | Uint8Array;

/** How much of a failed response's body goes into the error message. */
const BODY_EXCERPT_CHARS = 500;

/**
 * Sends one HTTP request per run with the global `fetch` (a new request each time, so a body is
 * sent on every run, not only the first). The request is fixed when the job is built; the task's
 * payload is not used.
 *
 * - Success: a 2xx or 3xx status. The task's `result` is `"<status>\n<body>"` (the body decoded as
 *   utf8, cut at `maxOutputBytes`). Redirects are not followed (`redirect: 'manual'`): a 3xx is
 *   the result as it came, `Location` and all, not the page it points to.
 * - Failure, retried with the kind's backoff: any other status, a timeout, an abort of
 *   `ctx.signal`, or no response at all (DNS, refused connection, …). It throws an
 *   {@link HttpJobFailedError} with the status and the start of the body.
 *
 * @example
 * const ping = new CurlJob('ping-api', 'POST', 'https://example.com/ping', '{"from":"scheduler"}', {
 *   'content-type': 'application/json',
 * });
 * scheduler.registerJob(ping, { trigger: '@every 5m' });
 */
export class CurlJob implements Job {
  /** The kind it runs. */
  readonly kind: string;
  /** The request method, upper-cased. */
  readonly method: string;
  /** Where the request goes. */
  readonly url: string;
  private readonly body: string | Buffer | undefined;
  private readonly headers: ReadonlyArray<[string, string]>;
  private readonly timeoutMs: number;
  private readonly maxOutputBytes: number;
  /** The URL as error messages show it: no credentials, no query string (they may hold secrets). */
  private readonly shownUrl: string;

  /**
   * @param kind - the kind it registers as.
   * @param method - `GET`, `POST`, … (not `CONNECT`, `TRACE` or `TRACK`, which `fetch` refuses).
   * @param url - an absolute `http:` or `https:` URL.
   * @param body - sent on every run; not allowed with `GET` or `HEAD`.
   * @param headers - sent on every run.
   * @throws {@link InvalidArgumentError} for anything `fetch` would refuse, at once rather than at
   * every run.
   */
  constructor(
    kind: string,
    method: string,
    url: string,
    body?: CurlJobBody,
    headers?: Record<string, string>,
    options: CurlJobOptions = {},
  ) {
    this.kind = checkKind('CurlJob', kind);
    this.method = method.toUpperCase();
    this.url = url;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidArgumentError('CurlJob url', `${JSON.stringify(url)} is not an absolute URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new InvalidArgumentError(
        'CurlJob url',
        `expected an http: or https: URL, got ${parsed.protocol}`,
      );
    }
    if (parsed.username !== '' || parsed.password !== '') {
      // Said without echoing the URL, which holds a secret.
      throw new InvalidArgumentError(
        'CurlJob url',
        'fetch refuses URLs with credentials: send them in an Authorization header instead',
      );
    }
    this.shownUrl = `${parsed.origin}${parsed.pathname}`;
    // A copy: the caller may reuse its buffer, and every run must send the same bytes.
    this.body = body === undefined || typeof body === 'string' ? body : Buffer.from(body);
    this.headers = Object.entries(headers ?? {});
    this.timeoutMs = checkDurationMs('CurlJob timeoutMs', options.timeoutMs ?? 30_000);
    this.maxOutputBytes = checkByteCount(
      'CurlJob maxOutputBytes',
      options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    );
    try {
      // Builds (and drops) one request so that a bad method, header or body fails here, once.
      new Request(url, { method: this.method, headers: [...this.headers], body: this.body });
    } catch (error) {
      throw new InvalidArgumentError('CurlJob request', (error as Error).message);
    }
  }

  /** Sends the request; resolves with the task, its `result` set to `"<status>\n<body>"`. */
  async execute(task: StoreTask, ctx: JobContext): Promise<JobResult> {
    return { ...task, result: await this.send(ctx) };
  }

  private async send(ctx: JobContext): Promise<string> {
    if (ctx.signal.aborted) throw this.noResponse('aborted before it started');
    const controller = new AbortController();
    let timedOut = false;
    const onAbort = (): void => controller.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`timed out after ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    const whyNoResponse = (error: unknown): string =>
      timedOut
        ? `timed out after ${this.timeoutMs} ms`
        : ctx.signal.aborted
          ? 'aborted (the scheduler is stopping or lost the lease)'
          : `request failed: ${causeMessage(error)}`;
    try {
      let response: Response;
      try {
        // A new Request every run: nothing (least of all a consumed body stream) carries over.
        response = await fetch(this.url, {
          method: this.method,
          headers: [...this.headers],
          body: this.body,
          redirect: 'manual',
          signal: controller.signal,
        });
      } catch (error) {
        throw this.noResponse(whyNoResponse(error), error);
      }
      let body: string;
      try {
        body = await readBody(response, this.maxOutputBytes);
      } catch (error) {
        throw new HttpJobFailedError(
          this.method,
          this.shownUrl,
          response.status,
          `status ${response.status}, then reading the body: ${whyNoResponse(error)}`,
          '',
          { cause: error },
        );
      }
      if (response.status >= 200 && response.status < 400) return `${response.status}\n${body}`;
      throw new HttpJobFailedError(
        this.method,
        this.shownUrl,
        response.status,
        `status ${response.status}`,
        body.slice(0, BODY_EXCERPT_CHARS),
      );
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  private noResponse(reason: string, cause?: unknown): HttpJobFailedError {
    return new HttpJobFailedError(
      this.method,
      this.shownUrl,
      null,
      reason,
      '',
      cause === undefined ? undefined : { cause },
    );
  }
}

/** Reads a body up to a size; the rest is not downloaded. */
async function readBody(response: Response, maxBytes: number): Promise<string> {
  if (response.body === null) return '';
  const capture = new OutputCapture(maxBytes, 'head');
  const reader = response.body.getReader();
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    capture.push(value);
    if (capture.droppedBytes > 0) {
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  const text = capture.text();
  return truncated ? `${text}\n[truncated]` : text;
}

/** `fetch` says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, …) is in its cause. */
function causeMessage(error: unknown): string {
  return messageOf((error as { cause?: unknown } | null)?.cause) ?? messageOf(error) ?? String(error);
}

// Duck-typed rather than `instanceof Error`: errors from Node's own fetch may come from another realm.
function messageOf(value: unknown): string | undefined {
  const message = (value as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}
