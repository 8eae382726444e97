import { Controller, Get, Header } from '@nestjs/common';
import { SchedulerMetrics } from '../lib/metrics/index.js';

/** `GET /metrics`: the scheduler's Prometheus metrics (from `SchedulerMetricsModule`). */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: SchedulerMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
