/**
 * A Nest app with `SchedulerModule` and `SchedulerConsoleModule` over a real HTTP server on an
 * ephemeral port (Express by default, or Fastify), and an HTTP client that carries the console's
 * CSRF cookie like a browser.
 */
import {
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { JobHandler, MemoryStore, SchedulerModule, SchedulerService, silentLogger } from '../../lib/index.js';
import type { JobStore } from '../../lib/core/store/job-store.js';
import type { SchedulerModuleOptions } from '../../lib/nest/scheduler-module-options.interface.js';
import { SchedulerConsoleModule, type SchedulerConsoleModuleOptions } from '../../lib/console/index.js';
import { deferred } from '../nest/nest-test-helpers.js';

/** Lets a request in when it carries `x-admin: yes` (the app's own auth, as far as the tests care). */
export class HeaderGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    return request.headers['x-admin'] === 'yes';
  }
}

/** A recurring job every hour: its task exists from bootstrap on. */
@JobHandler('report', { every: '1h' })
export class ReportJob {
  async execute(): Promise<void> {}
}

/** One-time work that succeeds. */
@JobHandler('work')
export class WorkJob {
  async execute(): Promise<void> {}
}

/** One-time work that fails for good at its first failure. */
@JobHandler('flaky', { maxRetries: 0 })
export class FlakyJob {
  async execute(): Promise<void> {
    throw new Error('upstream said no');
  }
}

/** Holds its run until the test calls `release()`. */
export const slowGate = { current: deferred() };
@JobHandler('slow')
export class SlowJob {
  async execute(): Promise<void> {
    await slowGate.current.promise;
  }
}

export const TEST_JOBS = [ReportJob, WorkJob, FlakyJob, SlowJob];

export interface ConsoleAppOptions {
  store?: JobStore;
  console?: SchedulerConsoleModuleOptions;
  /** Instead of `console`: the module as the test builds it (forRootAsync, …). */
  consoleModule?: NonNullable<ModuleMetadata['imports']>[number];
  scheduler?: SchedulerModuleOptions;
  adapter?: 'express' | 'fastify';
  providers?: Provider[];
  imports?: NonNullable<ModuleMetadata['imports']>;
  globalPrefix?: string;
}

export interface ConsoleApp {
  app: INestApplication;
  /** `http://127.0.0.1:<port>` */
  url: string;
  scheduler: SchedulerService;
  close(): Promise<void>;
}

/** Boots the app and listens on 127.0.0.1. */
export async function startConsoleApp(options: ConsoleAppOptions = {}): Promise<ConsoleApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      SchedulerModule.forRoot(options.store ?? new MemoryStore(), {
        logger: silentLogger,
        heartbeat: 200,
        history: { retention: '1d' },
        shutdownTimeoutMs: 1000,
        ...options.scheduler,
      }),
      options.consoleModule ??
        SchedulerConsoleModule.forRoot({ guard: new HeaderGuard(), cacheMs: 0, ...options.console }),
      ...(options.imports ?? []),
    ],
    providers: [...TEST_JOBS, ...(options.providers ?? [])],
  }).compile();
  const app =
    options.adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  if (options.globalPrefix) app.setGlobalPrefix(options.globalPrefix);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  return { app, url, scheduler: app.get(SchedulerService), close: () => app.close() };
}

/** An answer: status, headers and the body (parsed when JSON). */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // The tests read answers of many shapes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/**
 * A client of the console at `base` that sends `x-admin: yes` and, once `login()` ran, the CSRF
 * cookie and header, as the console page does.
 */
export class ConsoleClient {
  private cookie: string | null = null;
  private token: string | null = null;

  constructor(
    readonly base: string,
    private readonly headers: Record<string, string> = { 'x-admin': 'yes' },
  ) {}

  /** Gets a CSRF token and its cookie from `GET <base>/api/csrf`. */
  async login(): Promise<this> {
    const answer = await this.request('GET', '/api/csrf');
    const setCookie = answer.headers.get('set-cookie');
    if (answer.status !== 200 || !setCookie)
      throw new Error(`no CSRF cookie: ${answer.status} ${answer.text}`);
    this.cookie = setCookie.split(';')[0] as string;
    this.token = answer.json.token as string;
    return this;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.request('GET', path, undefined, headers);
  }

  post(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    return this.request('POST', path, body, headers);
  }

  delete(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.request('DELETE', path, undefined, headers);
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...this.headers,
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.token ? { 'x-csrf-token': this.token } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown = null;
    if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') json = JSON.parse(text);
    return { status: response.status, headers: response.headers, text, json };
  }
}

/** `encodeURIComponent`, for slugs in paths. */
export const enc = encodeURIComponent;
