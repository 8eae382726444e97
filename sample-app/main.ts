import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule.register());
  // SIGTERM / SIGINT run the shutdown hooks: the scheduler stops claiming, lets running jobs finish
  // (up to shutdownTimeoutMs), then the app closes.
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, '127.0.0.1');
  const logger = new Logger('SampleApp');
  logger.log(`Listening on http://127.0.0.1:${port} (store: ${process.env.SCHEDULER_STORE ?? 'memory'})`);
  logger.log(`Console: http://127.0.0.1:${port}/scheduler (requests from this machine only)`);
  logger.log(
    `Try: curl -X POST -H 'content-type: application/json' -d '{"delayMs":3000}' http://127.0.0.1:${port}/transactions/9bfadfd6/reserve`,
  );
}

void bootstrap();
