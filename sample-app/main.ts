import 'reflect-metadata';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { reachStore } from './reach-store.js';
import { storeFromEnv } from './store-from-env.js';

const logger = new Logger('SampleApp');

/** How long boot waits for the store before giving up (`STORE_CONNECT_TIMEOUT_MS`, default 10 s). */
function connectTimeoutMs(): number {
  const raw = process.env.STORE_CONNECT_TIMEOUT_MS ?? '10000';
  const ms = Number(raw);
  if (!(Number.isFinite(ms) && ms > 0)) {
    throw new Error(`STORE_CONNECT_TIMEOUT_MS must be a number of milliseconds > 0, not "${raw}"`);
  }
  return ms;
}

async function bootstrap(): Promise<void> {
  const target = await storeFromEnv();
  if (target.remote) {
    const timeoutMs = connectTimeoutMs();
    logger.log(`Connecting to ${target.where} (giving up after ${timeoutMs} ms)`);
    await reachStore(target, timeoutMs);
  }

  // abortOnError: false, so that a failure while building the app reaches the catch below (exit
  // code 1) instead of process.abort().
  const app = await NestFactory.create(AppModule.register(target.store), { abortOnError: false });
  // SIGTERM / SIGINT run the shutdown hooks: the scheduler stops claiming, lets running jobs finish
  // (up to shutdownTimeoutMs), the app closes, and the process exits 0. Without useProcessExit, Nest
  // would raise the signal again once done, and the process would end killed by it.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  try {
    await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  } catch (error) {
    await closeWithin(app, 10_000);
    throw error;
  }
  const url = await app.getUrl();
  logger.log(`Listening on ${url} (store: ${process.env.SCHEDULER_STORE ?? 'memory'}, pid ${process.pid})`);
  logger.log(`Console: ${url}/scheduler (requests from this machine only)`);
  logger.log(
    `Try: curl -X POST -H 'content-type: application/json' -d '{"delayMs":600000}' ${url}/transactions/9bfadfd6/reserve`,
  );
}

/** Closes an app that could not start listening; gives up after `ms`. */
async function closeWithin(app: INestApplication, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    app.close().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

bootstrap().catch((error: unknown) => {
  logger.error(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
  // Exit now: a driver that was still retrying (a Firestore client) would keep the process alive.
  process.exit(1);
});
