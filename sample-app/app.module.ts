import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SchedulerConsoleModule } from '../lib/console/index.js';
import { SchedulerModule, type JobStore } from '../lib/index.js';
import { SchedulerMetricsModule } from '../lib/metrics/index.js';
import { CheckoutController } from './checkout.controller.js';
import { HealthController } from './health.controller.js';
import { LoopbackGuard } from './loopback.guard.js';
import { MetricsController } from './metrics.controller.js';
import { CancelTransactionJob } from './jobs/cancel-transaction.job.js';
import { HeartbeatJob } from './jobs/heartbeat.job.js';
import { UptimeShellJob } from './jobs/uptime-shell.job.js';

/**
 * The sample application: three jobs, the console at `/scheduler` (for requests from this machine
 * only), one endpoint of its own that schedules work, `GET /health` (terminus) and `GET /metrics`
 * (Prometheus). `main.ts` picks the store and makes sure it answers before the app is built.
 */
@Module({})
export class AppModule {
  static register(store: JobStore): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SchedulerModule.forRoot(store, { shutdownTimeoutMs: 5_000, history: { retention: '7d' } }),
        SchedulerConsoleModule.forRoot({ path: '/scheduler', guard: new LoopbackGuard() }),
        TerminusModule.forRoot(),
        SchedulerMetricsModule.forRoot(),
      ],
      controllers: [CheckoutController, HealthController, MetricsController],
      providers: [HeartbeatJob, UptimeShellJob, CancelTransactionJob],
    };
  }
}
