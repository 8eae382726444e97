import { BadRequestException, Body, Controller, Param, Post, UseFilters } from '@nestjs/common';
import { SchedulerExceptionFilter, SchedulerService, type ScheduledJob } from '../lib/index.js';
import { CancelTransactionJob, type CancelTransactionPayload } from './jobs/cancel-transaction.job.js';

/** Body of `POST /transactions/:id/reserve`. */
interface ReserveRequest {
  delayMs?: unknown;
}

/**
 * The app's own endpoint that schedules work: reserving a transaction schedules its cancellation.
 * Everything else about tasks (list, inspect, pause, run now, delete) is the console's, at `/scheduler`.
 * The library's errors answer 409 (already reserved) or 400 (a bad delay), not 500.
 */
@Controller('transactions')
@UseFilters(SchedulerExceptionFilter)
export class CheckoutController {
  constructor(private readonly scheduler: SchedulerService) {}

  /** Cancels the transaction after `delayMs` (default 5000) unless it is paid first. */
  @Post(':id/reserve')
  reserve(@Param('id') id: string, @Body() body: ReserveRequest = {}): Promise<ScheduledJob> {
    const delay = body.delayMs === undefined ? 5_000 : body.delayMs;
    if (typeof delay !== 'number') throw new BadRequestException('delayMs must be a number of milliseconds');
    const payload: CancelTransactionPayload & { [key: string]: string } = { transactionId: id };
    return this.scheduler.scheduleJob(`cancel-tx-${id}`, CancelTransactionJob, { delay, payload });
  }
}
