import {
  applyDecorators,
  Body,
  Delete,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SchedulerExceptionFilter } from '../nest/scheduler-exception.filter.js';
import { ConsoleService, type ConsoleTaskPage } from './console.service.js';
import { csrfCookie, csrfTokenFor } from './csrf.js';
import { rootOf, type ConsoleRequest } from './http-request.js';
import { parseHistoryQuery, parseKey, parseNoQuery, parseReschedule, parseTaskListQuery } from './inputs.js';
import type { ConsoleInstance, ConsoleKind, ConsoleRun, ConsoleTask } from './task-view.js';

/** The headers of every answer: never cached (tasks change every second), never sniffed. */
const ApiHeaders = () =>
  applyDecorators(Header('Cache-Control', 'no-store'), Header('X-Content-Type-Options', 'nosniff'));

type Query = Record<string, unknown>;

/**
 * The console's JSON API, mounted by `SchedulerConsoleModule` at `<path>/api` behind the console's
 * guard. Every input is checked first (`inputs.ts`); the library's errors answer 404 (unknown slug),
 * 409 (running, already scheduled, retry of a task that has not failed) or 400 (bad input).
 */
@UseFilters(SchedulerExceptionFilter)
export class ConsoleApiController {
  constructor(
    @Inject(ConsoleService) private readonly console: ConsoleService,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  /**
   * `{ token }`, and the cookie it must match: a client that is not the console page (a script, curl)
   * sends the token back in the `x-csrf-token` header of its state-changing requests.
   */
  @Get('csrf')
  @ApiHeaders()
  csrf(@Req() request: ConsoleRequest, @Res({ passthrough: true }) response: unknown, @Query() query: Query) {
    parseNoQuery(query);
    const { token, isNew } = csrfTokenFor(request);
    if (isNew)
      this.adapterHost.httpAdapter.setHeader(
        response,
        'Set-Cookie',
        csrfCookie(token, rootOf(request, 2), request),
      );
    return { token };
  }

  /** A page of tasks: `?kind=&state=&slugPrefix=&limit=&cursor=`. */
  @Get('tasks')
  @ApiHeaders()
  tasks(@Query() query: Query): Promise<ConsoleTaskPage> {
    return this.console.listTasks(parseTaskListQuery(query, this.console.options.pageSize));
  }

  @Get('tasks/:slug')
  @ApiHeaders()
  task(@Param('slug') slug: string, @Query() query: Query): Promise<ConsoleTask> {
    parseNoQuery(query);
    return this.console.getTask(parseKey('slug', slug));
  }

  /** A task's executions, newest first: `?limit=` (default 50). */
  @Get('tasks/:slug/history')
  @ApiHeaders()
  async history(
    @Param('slug') slug: string,
    @Query() query: Query,
  ): Promise<{ items: ConsoleRun[]; historyEnabled: boolean }> {
    const { limit } = parseHistoryQuery(query);
    return {
      items: await this.console.history(parseKey('slug', slug), limit),
      historyEnabled: this.console.keepsHistory,
    };
  }

  /** Per kind: tasks by state, runs and failures in the last hour, live instances that run it. */
  @Get('kinds')
  @ApiHeaders()
  async kinds(
    @Query() query: Query,
  ): Promise<{ items: ConsoleKind[]; historyEnabled: boolean; runsSince: Date; readAt: Date }> {
    parseNoQuery(query);
    const overview = await this.console.overview();
    return {
      items: overview.kinds,
      historyEnabled: overview.historyEnabled,
      runsSince: overview.runsSince,
      readAt: overview.readAt,
    };
  }

  /** The live instances, then those not heard from within the last 30 s but within the last hour. */
  @Get('instances')
  @ApiHeaders()
  async instances(@Query() query: Query): Promise<{ items: ConsoleInstance[]; readAt: Date }> {
    parseNoQuery(query);
    const overview = await this.console.overview();
    return { items: overview.instances, readAt: overview.readAt };
  }

  @Post('tasks/:slug/pause')
  @HttpCode(200)
  @ApiHeaders()
  pause(@Param('slug') slug: string, @Query() query: Query): Promise<ConsoleTask> {
    parseNoQuery(query);
    return this.console.pause(parseKey('slug', slug));
  }

  @Post('tasks/:slug/resume')
  @HttpCode(200)
  @ApiHeaders()
  resume(@Param('slug') slug: string, @Query() query: Query): Promise<ConsoleTask> {
    parseNoQuery(query);
    return this.console.resume(parseKey('slug', slug));
  }

  /** Runs the task once now (409 while it runs). */
  @Post('tasks/:slug/run')
  @HttpCode(200)
  @ApiHeaders()
  run(@Param('slug') slug: string, @Query() query: Query): Promise<ConsoleTask> {
    parseNoQuery(query);
    return this.console.runNow(parseKey('slug', slug));
  }

  /** Runs a failed task again from scratch (409 when it has not failed). */
  @Post('tasks/:slug/retry')
  @HttpCode(200)
  @ApiHeaders()
  retry(@Param('slug') slug: string, @Query() query: Query): Promise<ConsoleTask> {
    parseNoQuery(query);
    return this.console.retry(parseKey('slug', slug));
  }

  /** `{ runAt }`, `{ cron, timeZone? }`, `{ every }`, or a schedule with a `runAt` (409 while it runs). */
  @Post('tasks/:slug/reschedule')
  @HttpCode(200)
  @ApiHeaders()
  reschedule(
    @Param('slug') slug: string,
    @Query() query: Query,
    @Body() body: unknown,
  ): Promise<ConsoleTask> {
    parseNoQuery(query);
    const key = parseKey('slug', slug);
    return this.console.reschedule(key, parseReschedule(body));
  }

  @Delete('tasks/:slug')
  @HttpCode(204)
  @ApiHeaders()
  async remove(@Param('slug') slug: string, @Query() query: Query): Promise<void> {
    parseNoQuery(query);
    await this.console.delete(parseKey('slug', slug));
  }

  /** Pauses every task of a kind: `{ kind, changed }`. */
  @Post('kinds/:kind/pause')
  @HttpCode(200)
  @ApiHeaders()
  pauseKind(@Param('kind') kind: string, @Query() query: Query): Promise<{ kind: string; changed: number }> {
    parseNoQuery(query);
    return this.console.pauseKind(parseKey('kind', kind));
  }

  /** Resumes every task of a kind: `{ kind, changed }`. */
  @Post('kinds/:kind/resume')
  @HttpCode(200)
  @ApiHeaders()
  resumeKind(@Param('kind') kind: string, @Query() query: Query): Promise<{ kind: string; changed: number }> {
    parseNoQuery(query);
    return this.console.resumeKind(parseKey('kind', kind));
  }
}
