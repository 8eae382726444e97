import {
  BadRequestException,
  Catch,
  ConflictException,
  type ArgumentsHost,
  type HttpException,
  NotFoundException,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { JobAlreadyScheduledError } from '../core/errors/job-already-scheduled.error.js';
import { JobNotFoundError } from '../core/errors/job-not-found.error.js';
import { JobRunningError } from '../core/errors/job-running.error.js';
import { SchedulerError } from '../core/errors/scheduler.error.js';

/**
 * The HTTP answer for an error of this library: 404 for an unknown slug (`JobNotFoundError`), 409
 * for a slug already taken or a task running right now (`JobAlreadyScheduledError`,
 * `JobRunningError`), 400 for every other `SchedulerError` (all of them mean bad input: a malformed
 * cron, payload, slug, argument…). The body is Nest's usual `{ statusCode, message, error }` plus
 * `type`, the error's class name.
 */
export function toHttpException(error: SchedulerError): HttpException {
  const body = (statusCode: number, status: string) => ({
    statusCode,
    message: error.message,
    error: status,
    type: error.name,
  });
  if (error instanceof JobNotFoundError) return new NotFoundException(body(404, 'Not Found'));
  if (error instanceof JobAlreadyScheduledError || error instanceof JobRunningError) {
    return new ConflictException(body(409, 'Conflict'));
  }
  return new BadRequestException(body(400, 'Bad Request'));
}

/**
 * Answers the library's errors with their HTTP status (see {@link toHttpException}) instead of a 500,
 * on Express and Fastify alike. Bind it to a controller with `@UseFilters(SchedulerExceptionFilter)`,
 * to the whole app with `{ provide: APP_FILTER, useClass: SchedulerExceptionFilter }`, or with
 * `app.useGlobalFilters(new SchedulerExceptionFilter(app.getHttpAdapter()))`. Other errors pass
 * through to Nest's default handling.
 */
@Catch(SchedulerError)
export class SchedulerExceptionFilter extends BaseExceptionFilter {
  override catch(exception: SchedulerError, host: ArgumentsHost): void {
    super.catch(toHttpException(exception), host);
  }
}
