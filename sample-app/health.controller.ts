import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { SchedulerHealthIndicator } from '../lib/index.js';

/**
 * `GET /health` with `@nestjs/terminus`: 200 while the scheduler's store answers and its loop polls,
 * 503 otherwise (see `SchedulerHealthIndicator`).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly scheduler: SchedulerHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.scheduler.isHealthy('scheduler', { maxPollAgeMs: 60_000 })]);
  }
}
