import { Module, type DynamicModule } from '@nestjs/common';
import { SchedulerModule } from '../lib/index.js';
import { JobsController } from './jobs.controller.js';
import { CancelTransactionJob } from './jobs/cancel-transaction.job.js';
import { HeartbeatJob } from './jobs/heartbeat.job.js';
import { UptimeShellJob } from './jobs/uptime-shell.job.js';
import { storeFromEnv } from './store-from-env.js';

/** The sample application: three jobs and a small HTTP controller over the scheduler. */
@Module({})
export class AppModule {
  static register(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SchedulerModule.forRootAsync({
          useFactory: async () => ({ store: await storeFromEnv(), shutdownTimeoutMs: 5_000 }),
        }),
      ],
      controllers: [JobsController],
      providers: [HeartbeatJob, UptimeShellJob, CancelTransactionJob],
    };
  }
}
