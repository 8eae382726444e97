/**
 * `npm run docs:screenshots`: writes docs/images/console-*.png, the console's main views, from a
 * demo app (the sample app's jobs plus a few that fail or recur) on the memory store, in Debian's
 * Chromium. The README and docs/console.md show these files; run this again when the pages change.
 */
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { SchedulerConsoleModule } from '../lib/console/index.js';
import { JobHandler, MemoryStore, SchedulerModule, SchedulerService, silentLogger } from '../lib/index.js';
import { CancelTransactionJob } from '../sample-app/jobs/cancel-transaction.job.js';
import { HeartbeatJob } from '../sample-app/jobs/heartbeat.job.js';
import { LoopbackGuard } from '../sample-app/loopback.guard.js';
import { launchChromium } from './chromium.js';

/** A weekday report in Lisbon time. */
@JobHandler('weekly-report', { cron: '0 9 * * 1-5', timeZone: 'Europe/Lisbon' })
class WeeklyReportJob {
  async execute(): Promise<void> {}
}

/** Sends an invoice e-mail; always works. */
@JobHandler('invoice-email')
class InvoiceEmailJob {
  async execute(): Promise<void> {}
}

/** Pushes a customer to a CRM that keeps refusing it. */
@JobHandler('crm-sync', { maxRetries: 0 })
class CrmSyncJob {
  async execute(): Promise<void> {
    throw new Error('CRM answered 503 Service Unavailable');
  }
}

@Module({
  imports: [
    SchedulerModule.forRoot(new MemoryStore(), {
      logger: silentLogger,
      heartbeat: 200,
      history: { retention: '7d' },
      instanceId: 'web-1-4f2a9c',
      shutdownTimeoutMs: 1000,
    }),
    SchedulerConsoleModule.forRoot({ path: '/scheduler', guard: new LoopbackGuard(), refreshMs: 0 }),
  ],
  providers: [HeartbeatJob, CancelTransactionJob, WeeklyReportJob, InvoiceEmailJob, CrmSyncJob],
})
class DemoModule {}

const until = async (check: () => Promise<boolean>): Promise<void> => {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
};

async function seed(scheduler: SchedulerService): Promise<void> {
  const hour = 3_600_000;
  for (const id of ['9bfadfd6', 'a41c0e27', 'c0ffee12']) {
    await scheduler.scheduleJob(`cancel-tx-${id}`, CancelTransactionJob, {
      delay: 15 * 60_000,
      payload: { transactionId: id },
    });
  }
  for (const n of [1041, 1042, 1043, 1044]) {
    await scheduler.scheduleJob(`invoice-${n}`, InvoiceEmailJob, {
      delay: (n - 1040) * hour,
      payload: { n },
    });
  }
  await scheduler.pauseJob('invoice-1044');
  for (const customer of ['acme', 'globex']) {
    await scheduler.scheduleJob(`crm-sync-${customer}`, CrmSyncJob, { payload: { customer } });
  }
  // Left behind by a deploy that removed its handler: no instance runs this kind any more.
  await scheduler.scheduleJob('legacy-export-2024', 'legacy-export', {
    runAt: new Date(Date.now() - 2 * hour),
  });
  // Some history for the report's timeline.
  for (let run = 1; run <= 3; run += 1) {
    await scheduler.triggerJob('weekly-report');
    await until(async () => (await scheduler.getJobHistory('weekly-report')).length >= run);
  }
  await until(async () => (await scheduler.listJobs({ state: 'failed' })).tasks.length === 2);
  await until(async () => (await scheduler.listInstances()).length === 1);
}

async function main(): Promise<void> {
  const out = fileURLToPath(new URL('../../docs/images/', import.meta.url));
  mkdirSync(out, { recursive: true });
  const app = await NestFactory.create(DemoModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const base = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/scheduler`;
  await seed(app.get(SchedulerService));
  const browser = await launchChromium({ viewport: { width: 1280, height: 720 } });
  try {
    const page = await browser.context.newPage();
    const views: Array<[string, string]> = [
      ['console-overview.png', ''],
      ['console-tasks.png', '/tasks'],
      ['console-task.png', '/tasks/weekly-report'],
      ['console-failed.png', '/failed'],
      ['console-instances.png', '/instances'],
    ];
    for (const [file, path] of views) {
      await page.goto(`${base}${path}`);
      await page.screenshot({ path: `${out}${file}`, fullPage: true });
      console.log(`docs/images/${file}`);
    }
  } finally {
    await browser.close();
    await app.close();
  }
}

await main();
