import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SchedulerModule } from '../lib/index.js';
import { SchedulerMetricsModule } from '../lib/metrics/index.js';
import { HealthController } from './health.controller.js';
import { JobsController } from './jobs.controller.js';
import { MetricsController } from './metrics.controller.js';
import { CancelTransactionJob } from './jobs/cancel-transaction.job.js';
import { HeartbeatJob } from './jobs/heartbeat.job.js';
import { UptimeShellJob } from './jobs/uptime-shell.job.js';
import { storeFromEnv } from './store-from-env.js';

/**
 * The sample application: three jobs, a small HTTP controller over the scheduler, `GET /health`
 * (terminus) and `GET /metrics` (Prometheus).
 */
@Module({})
export class AppModule {
  static register(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SchedulerModule.forRootAsync({
          useFactory: async () => ({
            store: await storeFromEnv(),
            shutdownTimeoutMs: 5_000,
            history: { retention: '7d' },
          }),
        }),
        TerminusModule.forRoot(),
        SchedulerMetricsModule.forRoot(),
      ],
      controllers: [JobsController, HealthController, MetricsController],
      providers: [HeartbeatJob, UptimeShellJob, CancelTransactionJob],
    };
  }
}
