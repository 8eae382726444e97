import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SchedulerConsoleModule } from '../lib/console/index.js';
import { SchedulerModule } from '../lib/index.js';
import { SchedulerMetricsModule } from '../lib/metrics/index.js';
import { CheckoutController } from './checkout.controller.js';
import { HealthController } from './health.controller.js';
import { LoopbackGuard } from './loopback.guard.js';
import { MetricsController } from './metrics.controller.js';
import { CancelTransactionJob } from './jobs/cancel-transaction.job.js';
import { HeartbeatJob } from './jobs/heartbeat.job.js';
import { UptimeShellJob } from './jobs/uptime-shell.job.js';
import { storeFromEnv } from './store-from-env.js';

/**
 * The sample application: three jobs, the console at `/scheduler` (for requests from this machine
 * only), one endpoint of its own that schedules work, `GET /health` (terminus) and `GET /metrics`
 * (Prometheus).
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
        SchedulerConsoleModule.forRoot({ path: '/scheduler', guard: new LoopbackGuard() }),
        TerminusModule.forRoot(),
        SchedulerMetricsModule.forRoot(),
      ],
      controllers: [CheckoutController, HealthController, MetricsController],
      providers: [HeartbeatJob, UptimeShellJob, CancelTransactionJob],
    };
  }
}
