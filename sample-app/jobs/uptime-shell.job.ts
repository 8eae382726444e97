import { Logger } from '@nestjs/common';
import { JobHandler, ShellJob, type JobContext, type JobResult, type StoreTask } from '../../lib/index.js';

/**
 * An `@every` shell job: the built-in ShellJob under its own kind, recurring every 10 seconds.
 * The command comes from the payload of the recurring task the module creates at bootstrap.
 * (ShellJob runs whatever its payload says: only trusted code may schedule this kind.)
 */
@JobHandler('uptime-shell', { every: '10s', payload: 'echo "shell job says hello at $(date -u +%H:%M:%S)"' })
export class UptimeShellJob extends ShellJob {
  private readonly logger = new Logger(UptimeShellJob.name);

  constructor() {
    super({ kind: 'uptime-shell', timeoutMs: 5_000 });
  }

  override async execute(task: StoreTask, ctx: JobContext): Promise<JobResult> {
    const done = await super.execute(task, ctx);
    this.logger.log(`stdout: ${(done && done.result?.trim()) ?? ''}`);
    return done;
  }
}
