import { Logger } from '@nestjs/common';
import { JobHandler, type JobContext, type StoreTask } from '../../lib/index.js';

/** A cron job with seconds: fires at every fifth second. */
@JobHandler('heartbeat', '*/5 * * * * *')
export class HeartbeatJob {
  private readonly logger = new Logger(HeartbeatJob.name);

  async execute(_task: StoreTask, ctx: JobContext): Promise<void> {
    this.logger.log(`heartbeat due at ${ctx.scheduledAt.toISOString()} ran on ${ctx.instanceId}`);
  }
}
