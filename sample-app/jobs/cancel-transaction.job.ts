import { Logger } from '@nestjs/common';
import { JobHandler, type JobContext, type StoreTask } from '../../lib/index.js';

/** What a cancel-transaction task carries. */
export interface CancelTransactionPayload {
  transactionId: string;
}

/**
 * A one-time job with a payload (the seed's cancel-transaction example): scheduled by
 * `POST /transactions/:id/reserve`, retried up to 3 times with the default backoff if it throws.
 */
@JobHandler('cancel-transaction', { maxRetries: 3 })
export class CancelTransactionJob {
  private readonly logger = new Logger(CancelTransactionJob.name);

  async execute(task: StoreTask, ctx: JobContext): Promise<StoreTask> {
    const { transactionId } = task.payload as unknown as CancelTransactionPayload;
    this.logger.log(`cancelling transaction ${transactionId} (attempt ${ctx.attempt})`);
    return { ...task, result: `transaction ${transactionId} cancelled` };
  }
}
