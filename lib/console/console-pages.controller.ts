import { applyDecorators, Get, Header, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SchedulerError } from '../core/errors/scheduler.error.js';
import { toHttpException } from '../nest/scheduler-exception.filter.js';
import { ConsoleAssets } from './console-assets.js';
import { FRAGMENT_HEADER } from './console.constants.js';
import { ConsoleService } from './console.service.js';
import { csrfCookie, csrfTokenFor } from './csrf.js';
import { errorMain } from './html/error.page.js';
import type { SafeHtml } from './html/html.js';
import { instancesMain } from './html/instances.page.js';
import { layout, type PageContext, type Section } from './html/layout.js';
import { overviewMain } from './html/overview.page.js';
import { taskMain } from './html/task.page.js';
import { tasksMain, type TaskListView } from './html/tasks.page.js';
import { headerOf, rootOf, type ConsoleRequest } from './http-request.js';
import { parseKey, parseTaskListQuery } from './inputs.js';

/**
 * The page's policy: its own script and stylesheet only, no inline script or style, no framing, no
 * form or fetch to anywhere else.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** The headers of every page. */
const PageHeaders = () =>
  applyDecorators(
    Header('Content-Type', 'text/html; charset=utf-8'),
    Header('Content-Security-Policy', CONSOLE_CSP),
    Header('X-Content-Type-Options', 'nosniff'),
    Header('X-Frame-Options', 'DENY'),
    Header('Referrer-Policy', 'same-origin'),
    Header('Cache-Control', 'no-store'),
    Header('Vary', FRAGMENT_HEADER),
  );

/** The headers of the versioned assets (their URL changes with their content). */
const AssetHeaders = (type: string) =>
  applyDecorators(
    Header('Content-Type', type),
    Header('X-Content-Type-Options', 'nosniff'),
    Header('Cache-Control', 'public, max-age=31536000, immutable'),
  );

type Query = Record<string, unknown>;

/**
 * The dashboard's pages, rendered on the server (the page's script only adds actions and refreshes
 * `<main>`). `SchedulerConsoleModule` mounts a subclass at the configured path, behind the console's guard.
 */
export class ConsolePagesController {
  constructor(
    @Inject(ConsoleService) private readonly console: ConsoleService,
    @Inject(ConsoleAssets) private readonly assets: ConsoleAssets,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get()
  @PageHeaders()
  async overview(
    @Req() request: ConsoleRequest,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<string> {
    return this.page(request, response, 0, 'overview', 'Overview', async (ctx) =>
      overviewMain(ctx, await this.console.overview()),
    );
  }

  @Get('tasks')
  @PageHeaders()
  tasks(
    @Req() request: ConsoleRequest,
    @Res({ passthrough: true }) response: unknown,
    @Query() query: Query,
  ): Promise<string> {
    return this.list(request, response, query, { path: '/tasks', heading: 'Tasks' }, 'tasks');
  }

  @Get('failed')
  @PageHeaders()
  failed(
    @Req() request: ConsoleRequest,
    @Res({ passthrough: true }) response: unknown,
    @Query() query: Query,
  ): Promise<string> {
    return this.list(
      request,
      response,
      { ...query, state: 'failed' },
      { path: '/failed', heading: 'Failed tasks' },
      'failed',
    );
  }

  @Get('instances')
  @PageHeaders()
  instances(@Req() request: ConsoleRequest, @Res({ passthrough: true }) response: unknown): Promise<string> {
    return this.page(request, response, 1, 'instances', 'Instances', async (ctx) =>
      instancesMain(ctx, await this.console.overview()),
    );
  }

  @Get('tasks/:slug')
  @PageHeaders()
  task(
    @Req() request: ConsoleRequest,
    @Res({ passthrough: true }) response: unknown,
    @Param('slug') slugParam: string,
  ): Promise<string> {
    return this.page(request, response, 2, 'tasks', 'Task', async (ctx) => {
      const slug = parseKey('slug', slugParam);
      const [task, runs] = await Promise.all([this.console.getTask(slug), this.console.history(slug, 50)]);
      return taskMain(ctx, task, runs, this.console.keepsHistory);
    });
  }

  @Get('assets/console.js')
  @AssetHeaders('text/javascript; charset=utf-8')
  script(): string {
    return this.assets.script.body;
  }

  @Get('assets/console.css')
  @AssetHeaders('text/css; charset=utf-8')
  stylesheet(): string {
    return this.assets.stylesheet.body;
  }

  private list(
    request: ConsoleRequest,
    response: unknown,
    query: Query,
    view: TaskListView,
    section: Section,
  ): Promise<string> {
    return this.page(request, response, 1, section, view.heading, async (ctx) => {
      const defaultLimit = this.console.options.pageSize;
      // An empty form field means "any": the form sends every field.
      const given = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ''));
      const parsed = parseTaskListQuery(given, defaultLimit);
      return tasksMain(ctx, view, parsed, await this.console.listTasks(parsed), defaultLimit);
    });
  }

  /**
   * Renders a page, or only its `<main>` for the page's own refresh; the library's errors become an
   * error page with their status (404 for an unknown task, 400 for a bad filter).
   */
  private async page(
    request: ConsoleRequest,
    response: unknown,
    depth: number,
    section: Section,
    heading: string,
    render: (ctx: PageContext) => Promise<SafeHtml>,
  ): Promise<string> {
    const adapter = this.adapterHost.httpAdapter;
    const root = rootOf(request, depth);
    const { token, isNew } = csrfTokenFor(request);
    if (isNew) adapter.setHeader(response, 'Set-Cookie', csrfCookie(token, root, request));
    const options = this.console.options;
    const ctx: PageContext = {
      root,
      title: options.title,
      csrfToken: token,
      readOnly: options.readOnly,
      refreshMs: options.refreshMs,
      now: this.console.now(),
      assets: {
        js: `${root}/assets/console.js?v=${this.assets.script.version}`,
        css: `${root}/assets/console.css?v=${this.assets.stylesheet.version}`,
      },
    };
    let main: SafeHtml;
    let title = heading;
    try {
      main = await render(ctx);
    } catch (error) {
      if (!(error instanceof SchedulerError)) throw error;
      const status = toHttpException(error).getStatus();
      adapter.status(response, status);
      title = status === 404 ? 'Not found' : 'Bad request';
      main = errorMain(ctx, title, error.message);
    }
    if (headerOf(request, FRAGMENT_HEADER) !== undefined) return main.markup;
    return layout(ctx, section, title, main).markup;
  }
}
