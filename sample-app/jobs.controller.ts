import {
  BadRequestException,
  ConflictException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  JobAlreadyScheduledError,
  JobRunningError,
  JobNotFoundError,
  SchedulerError,
  SchedulerService,
  type ScheduledJob,
} from '../lib/index.js';
import { CancelTransactionJob } from './jobs/cancel-transaction.job.js';

/** Body of `POST /jobs/cancel-transaction`. */
interface CancelTransactionRequest {
  transactionId?: unknown;
  delayMs?: unknown;
}

/** A small HTTP face over the scheduler: schedule, list, inspect and delete jobs. */
@Controller('jobs')
export class JobsController {
  constructor(private readonly scheduler: SchedulerService) {}

  /** Schedules a one-time cancel-transaction job: `{ "transactionId": "…", "delayMs": 5000 }`. */
  @Post('cancel-transaction')
  async cancelTransaction(@Body() body: CancelTransactionRequest): Promise<ScheduledJob> {
    if (typeof body?.transactionId !== 'string' || body.transactionId === '') {
      throw new BadRequestException('transactionId must be a non-empty string');
    }
    const delay = body.delayMs === undefined ? 5_000 : Number(body.delayMs);
    return this.call(() =>
      this.scheduler.scheduleJob(`cancel-tx-${body.transactionId as string}`, CancelTransactionJob, {
        delay,
        payload: { transactionId: body.transactionId as string },
      }),
    );
  }

  /** Lists jobs, a page at a time: `GET /jobs?state=failed&limit=20&cursor=…`. */
  @Get()
  async list(
    @Query('state') state?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    return this.call(() =>
      this.scheduler.listJobs({
        state: state as 'scheduled' | 'running' | 'failed' | 'paused' | undefined,
        limit: limit ? Number(limit) : undefined,
        cursor,
      }),
    );
  }

  /** One job's state. */
  @Get(':slug')
  async get(@Param('slug') slug: string): Promise<ScheduledJob> {
    return this.call(() => this.scheduler.getScheduledJob(slug));
  }

  /** A job's execution history, newest first (history is on in this app: 7 days). */
  @Get(':slug/history')
  async history(@Param('slug') slug: string, @Query('limit') limit?: string) {
    return this.call(() => this.scheduler.getJobHistory(slug, { limit: limit ? Number(limit) : 20 }));
  }

  /** Pauses a job: it is not claimed until resumed (a run in flight finishes). */
  @Post(':slug/pause')
  @HttpCode(204)
  async pause(@Param('slug') slug: string): Promise<void> {
    await this.call(() => this.scheduler.pauseJob(slug));
  }

  /** Resumes a paused job; a recurring one continues under its misfire policy. */
  @Post(':slug/resume')
  @HttpCode(204)
  async resume(@Param('slug') slug: string): Promise<void> {
    await this.call(() => this.scheduler.resumeJob(slug));
  }

  /** Runs a job once now without changing its schedule (a failed one is retried). */
  @Post(':slug/trigger')
  @HttpCode(204)
  async trigger(@Param('slug') slug: string): Promise<void> {
    await this.call(() => this.scheduler.triggerJob(slug));
  }

  /** Deletes a job. */
  @Delete(':slug')
  @HttpCode(204)
  async remove(@Param('slug') slug: string): Promise<void> {
    await this.call(() => this.scheduler.deleteJob(slug));
  }

  /** Maps the library's typed errors to HTTP answers. */
  private async call<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (error instanceof JobNotFoundError) throw new NotFoundException(error.message);
      if (error instanceof JobAlreadyScheduledError || error instanceof JobRunningError) {
        throw new ConflictException(error.message);
      }
      if (error instanceof SchedulerError) throw new BadRequestException(error.message);
      throw error;
    }
  }
}
