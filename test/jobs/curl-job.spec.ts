import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CurlJob } from '../../lib/jobs/curl-job.js';
import { HttpJobFailedError } from '../../lib/jobs/errors/http-job-failed.error.js';
import { InvalidArgumentError } from '../../lib/core/errors/invalid-argument.error.js';
import { makeContext, makeTask } from './job-test-kit.js';

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Resolves when `resolve` is called: lets a test wait for the server to see something. */
function signalPromise(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('CurlJob', () => {
  let server: Server;
  let base: string;
  let seen: SeenRequest[];
  /** Fires when a request to /slow arrives, and when its connection closes. */
  let slowArrived: ReturnType<typeof signalPromise>;
  let slowClosed: ReturnType<typeof signalPromise>;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const path = (req.url ?? '').split('?')[0];
        switch (path) {
          case '/ok':
            return res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
          case '/echo':
            return res.writeHead(201).end(`got:${Buffer.concat(chunks).toString('utf8')}`);
          case '/redirect':
            return res.writeHead(302, { location: '/ok' }).end('moved');
          case '/missing':
            return res.writeHead(404).end('not here');
          case '/boom':
            return res.writeHead(500).end(`kaboom ${'x'.repeat(2000)}`);
          case '/big':
            return res.writeHead(200).end('b'.repeat(100_000));
          case '/slow':
            // Never answers; the connection closes only when the client gives up.
            res.on('close', () => slowClosed.resolve());
            return slowArrived.resolve();
          case '/slow-body':
            // Answers, then never finishes the body.
            res.on('close', () => slowClosed.resolve());
            res.writeHead(200).write('partial');
            return slowArrived.resolve();
          default:
            return res.writeHead(400).end('unknown route');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    seen = [];
    slowArrived = signalPromise();
    slowClosed = signalPromise();
  });

  it('refuses at construction what fetch would refuse at every run', () => {
    expect(() => new CurlJob('c', 'GET', 'not a url')).toThrow(InvalidArgumentError);
    expect(() => new CurlJob('c', 'GET', '/relative/path')).toThrow(InvalidArgumentError);
    expect(() => new CurlJob('c', 'GET', 'ftp://example.com/file')).toThrow(InvalidArgumentError);
    expect(() => new CurlJob('c', 'GET', `${base}/ok`, 'a body')).toThrow(InvalidArgumentError);
    expect(() => new CurlJob('c', 'GET', `${base}/ok`, undefined, { 'bad header': 'x' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new CurlJob('c', 'CONNECT', `${base}/ok`)).toThrow(InvalidArgumentError);
    expect(() => new CurlJob('c', 'GET', `${base}/ok`, undefined, undefined, { timeoutMs: 0 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new CurlJob('', 'GET', `${base}/ok`)).toThrow(InvalidArgumentError);
  });

  it('returns the task with "<status>\\n<body>" as its result on a 200', async () => {
    const { ctx } = makeContext();
    const task = makeTask('clock', { ignored: true });
    const outcome = await new CurlJob('clock', 'get', `${base}/ok`).execute(task, ctx);
    expect(outcome).toEqual({ ...task, result: '200\nhello' });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /ok']);
  });

  it('takes a 3xx as success, as it came: the redirect is not followed', async () => {
    const { ctx } = makeContext();
    const outcome = await new CurlJob('c', 'GET', `${base}/redirect`).execute(makeTask('c', null), ctx);
    expect(outcome?.result).toBe('302\nmoved');
    expect(seen.map((r) => r.url)).toEqual(['/redirect']);
  });

  it('fails on a 404, with the status and the body in the message', async () => {
    const { ctx } = makeContext();
    const error = (await new CurlJob('c', 'GET', `${base}/missing`)
      .execute(makeTask('c', null), ctx)
      .catch((e: unknown) => e)) as HttpJobFailedError;
    expect(error).toBeInstanceOf(HttpJobFailedError);
    expect(error.status).toBe(404);
    expect(error.message).toBe(`HTTP GET ${base}/missing failed: status 404; body: not here`);
  });

  it('fails on a 500 with an excerpt of a long body', async () => {
    const { ctx } = makeContext();
    const error = (await new CurlJob('c', 'DELETE', `${base}/boom`)
      .execute(makeTask('c', null), ctx)
      .catch((e: unknown) => e)) as HttpJobFailedError;
    expect(error).toBeInstanceOf(HttpJobFailedError);
    expect(error.status).toBe(500);
    expect(error.message).toContain('status 500; body: kaboom xxx');
    expect(error.bodyExcerpt.length).toBe(500);
  });

  it('sends the body on every run, not only the first', async () => {
    const { ctx } = makeContext();
    const job = new CurlJob('c', 'POST', `${base}/echo`, '{"n":1}', { 'content-type': 'application/json' });
    const first = await job.execute(makeTask('c', null), ctx);
    const second = await job.execute(makeTask('c', null), ctx);
    expect([first?.result, second?.result]).toEqual(['201\ngot:{"n":1}', '201\ngot:{"n":1}']);
    expect(seen.map((r) => [r.method, r.body, r.headers['content-type']])).toEqual([
      ['POST', '{"n":1}', 'application/json'],
      ['POST', '{"n":1}', 'application/json'],
    ]);
  });

  it('sends a byte body on every run, unaffected by later changes to the caller buffer', async () => {
    const { ctx } = makeContext();
    const bytes = Buffer.from('bytes ✓', 'utf8');
    const job = new CurlJob('c', 'PUT', `${base}/echo`, bytes);
    bytes.fill(0);
    await job.execute(makeTask('c', null), ctx);
    await job.execute(makeTask('c', null), ctx);
    expect(seen.map((r) => r.body)).toEqual(['bytes ✓', 'bytes ✓']);
  });

  it('sends its headers', async () => {
    const { ctx } = makeContext();
    const job = new CurlJob('c', 'GET', `${base}/ok`, undefined, {
      'X-Api-Key': 'k-123',
      Accept: 'text/plain',
    });
    await job.execute(makeTask('c', null), ctx);
    expect(seen[0].headers['x-api-key']).toBe('k-123');
    expect(seen[0].headers.accept).toBe('text/plain');
  });

  it('gives up the request when ctx.signal aborts mid-request', async () => {
    const { ctx, controller } = makeContext();
    const caught = new CurlJob('c', 'GET', `${base}/slow`).execute(makeTask('c', null), ctx).catch((e) => e);
    await slowArrived.promise;
    controller.abort();
    const error = (await caught) as HttpJobFailedError;
    expect(error).toBeInstanceOf(HttpJobFailedError);
    expect(error.status).toBeNull();
    expect(error.message).toContain('aborted');
    await slowClosed.promise; // the server sees the connection go
  });

  it('does not send anything when ctx.signal has already aborted', async () => {
    const { ctx, controller } = makeContext();
    controller.abort();
    await expect(new CurlJob('c', 'GET', `${base}/ok`).execute(makeTask('c', null), ctx)).rejects.toThrow(
      /aborted before it started/,
    );
    expect(seen).toEqual([]);
  });

  it('fails past its timeout while waiting for the response', async () => {
    const { ctx } = makeContext();
    const job = new CurlJob('c', 'GET', `${base}/slow`, undefined, undefined, { timeoutMs: 300 });
    const error = (await job
      .execute(makeTask('c', null), ctx)
      .catch((e: unknown) => e)) as HttpJobFailedError;
    expect(error).toBeInstanceOf(HttpJobFailedError);
    expect(error.status).toBeNull();
    expect(error.message).toBe(`HTTP GET ${base}/slow failed: timed out after 300 ms`);
    await slowClosed.promise;
  });

  it('fails past its timeout while reading the body', async () => {
    const { ctx } = makeContext();
    const job = new CurlJob('c', 'GET', `${base}/slow-body`, undefined, undefined, { timeoutMs: 300 });
    const error = (await job
      .execute(makeTask('c', null), ctx)
      .catch((e: unknown) => e)) as HttpJobFailedError;
    expect(error).toBeInstanceOf(HttpJobFailedError);
    expect(error.status).toBe(200);
    expect(error.message).toContain('reading the body: timed out after 300 ms');
    await slowClosed.promise;
  });

  it('keeps at most maxOutputBytes of the body', async () => {
    const { ctx } = makeContext();
    const job = new CurlJob('c', 'GET', `${base}/big`, undefined, undefined, { maxOutputBytes: 1000 });
    const outcome = await job.execute(makeTask('c', null), ctx);
    expect(outcome?.result).toBe(`200\n${'b'.repeat(1000)}\n[truncated]`);
  });

  it('fails when nothing answers, naming the reason', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { ctx } = makeContext();
    const error = (await new CurlJob('c', 'GET', `http://127.0.0.1:${port}/`)
      .execute(makeTask('c', null), ctx)
      .catch((e: unknown) => e)) as HttpJobFailedError;
    expect(error).toBeInstanceOf(HttpJobFailedError);
    expect(error.status).toBeNull();
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('refuses credentials in the URL (fetch does) without repeating them', () => {
    const url = `http://user:secret-pass@127.0.0.1:${new URL(base).port}/ok`;
    expect(() => new CurlJob('c', 'GET', url)).toThrow(InvalidArgumentError);
    expect(() => new CurlJob('c', 'GET', url)).not.toThrow(/secret/);
  });

  it('keeps the query string out of its error messages', async () => {
    const { ctx } = makeContext();
    const url = `${base}/missing?token=secret-token`;
    const error = (await new CurlJob('c', 'GET', url)
      .execute(makeTask('c', null), ctx)
      .catch((e: unknown) => e)) as HttpJobFailedError;
    expect(error.status).toBe(404);
    expect(error.message).not.toMatch(/secret/);
    expect(seen[0].url).toBe('/missing?token=secret-token');
  });
});
