import { jest } from '@jest/globals';
import { Injectable, Module, Scope, type ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { InvalidCronExpressionError, JobAlreadyRegisteredError } from '../../lib/core/errors/index.js';
import { InvalidJobHandlerError } from '../../lib/nest/errors/invalid-job-handler.error.js';
import type { JobContext, StoreTask } from '../../lib/core/job.js';
import type { Scheduler } from '../../lib/core/scheduler.types.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import { getSchedulerToken, JobHandler, SchedulerModule, SchedulerService } from '../../lib/nest/index.js';
import { quietLogger, waitUntil } from './nest-test-helpers.js';

/** Records what it ran, and on which instance, so that a test can tell instances apart. */
abstract class RecordingJob {
  readonly runs: Array<{ slug: string; payload: unknown; attempt: number }> = [];

  async execute(task: StoreTask, ctx: JobContext): Promise<void> {
    this.runs.push({ slug: task.slug, payload: task.payload, attempt: ctx.attempt });
  }
}

@JobHandler('by-class', { maxRetries: 2, concurrency: 1 })
class ByClassJob extends RecordingJob {}

@JobHandler('by-value')
class ByValueJob extends RecordingJob {}

@Injectable()
class Greeter {
  greet(name: string): string {
    return `hello ${name}`;
  }
}

@JobHandler('by-factory')
class ByFactoryJob extends RecordingJob {
  constructor(readonly greeter: Greeter) {
    super();
  }
}

const byValueJob = new ByValueJob();

function createModule(metadata: ModuleMetadata): Promise<TestingModule> {
  return Test.createTestingModule({
    ...metadata,
    imports: [
      SchedulerModule.forRoot(new MemoryStore(), { logger: quietLogger }),
      ...(metadata.imports ?? []),
    ],
  }).compile();
}

/** Compiles, spies on registerJob (passing through to the real engine), then runs the init hooks. */
async function initWithSpy(metadata: ModuleMetadata) {
  const moduleRef = await createModule(metadata);
  const scheduler = moduleRef.get<Scheduler>(getSchedulerToken());
  const registerJob = jest.spyOn(scheduler, 'registerJob');
  await moduleRef.init();
  return { moduleRef, registerJob };
}

/** Expects bootstrap to fail; closes what was built either way. */
async function expectBootstrapError(metadata: ModuleMetadata): Promise<Error> {
  const moduleRef = await createModule(metadata);
  const error = await moduleRef.init().then(
    () => new Error('bootstrap succeeded'),
    (e: unknown) => e as Error,
  );
  await moduleRef.close();
  return error;
}

describe('JobHandlerExplorer', () => {
  it('finds @JobHandler providers given with useClass, useValue and useFactory, each once, and runs them', async () => {
    const { moduleRef, registerJob } = await initWithSpy({
      providers: [
        Greeter,
        ByClassJob,
        { provide: 'VALUE_JOB', useValue: byValueJob },
        {
          provide: 'FACTORY_JOB',
          useFactory: (greeter: Greeter) => new ByFactoryJob(greeter),
          inject: [Greeter],
        },
        // Another token for the ByClassJob instance: still one handler.
        { provide: 'ALIAS_JOB', useExisting: ByClassJob },
        { provide: 'SAME_INSTANCE_JOB', useFactory: (job: ByClassJob) => job, inject: [ByClassJob] },
      ],
    });
    try {
      const registered = registerJob.mock.calls.map(([job, options]) => ({ kind: job.kind, options }));
      expect(registered.sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
        { kind: 'by-class', options: { maxRetries: 2, concurrency: 1 } },
        { kind: 'by-factory', options: {} },
        { kind: 'by-value', options: {} },
      ]);

      const service = moduleRef.get(SchedulerService);
      await service.scheduleJob('c1', 'by-class', { payload: { n: 1 } });
      await service.scheduleJob('v1', 'by-value', { payload: 'v' });
      await service.scheduleJob('f1', 'by-factory');
      const byClass = moduleRef.get(ByClassJob);
      const byFactory = moduleRef.get<ByFactoryJob>('FACTORY_JOB');
      await waitUntil(() => byClass.runs.length + byValueJob.runs.length + byFactory.runs.length === 3, {
        message: 'the three handlers ran',
      });
      expect(byClass.runs).toEqual([{ slug: 'c1', payload: { n: 1 }, attempt: 1 }]);
      expect(byValueJob.runs).toEqual([{ slug: 'v1', payload: 'v', attempt: 1 }]);
      expect(byFactory.runs).toEqual([{ slug: 'f1', payload: null, attempt: 1 }]);
      expect(byFactory.greeter.greet('x')).toBe('hello x');
    } finally {
      await moduleRef.close();
    }
  });

  it('calls execute as a method of the provider instance (this is the instance)', async () => {
    @JobHandler('uses-this')
    class UsesThisJob {
      readonly seen: unknown[] = [];
      async execute(task: StoreTask): Promise<void> {
        this.record(task.payload);
      }
      private record(value: unknown): void {
        this.seen.push(value);
      }
    }
    const { moduleRef } = await initWithSpy({ providers: [UsesThisJob] });
    try {
      await moduleRef.get(SchedulerService).scheduleJob('t', UsesThisJob, { payload: 42 });
      const job = moduleRef.get(UsesThisJob);
      await waitUntil(() => job.seen.length === 1);
      expect(job.seen).toEqual([42]);
    } finally {
      await moduleRef.close();
    }
  });

  it('registers a transient handler whose dependencies are all static, once, and runs it', async () => {
    @Injectable({ scope: Scope.TRANSIENT })
    @JobHandler('transient')
    class TransientJob {
      static readonly ran: Array<{ slug: string; greeting: string }> = [];
      constructor(private readonly greeter: Greeter) {}
      async execute(task: StoreTask): Promise<void> {
        TransientJob.ran.push({ slug: task.slug, greeting: this.greeter.greet('job') });
      }
    }

    @Injectable()
    class Consumer {
      constructor(readonly job: TransientJob) {}
    }
    const { moduleRef, registerJob } = await initWithSpy({ providers: [Greeter, TransientJob, Consumer] });
    try {
      expect(registerJob.mock.calls.map(([job]) => job.kind)).toEqual(['transient']);
      await moduleRef.get(SchedulerService).scheduleJob('t1', TransientJob);
      await waitUntil(() => TransientJob.ran.length === 1, { message: 'the transient handler ran' });
      expect(TransientJob.ran).toEqual([{ slug: 't1', greeting: 'hello job' }]);
    } finally {
      await moduleRef.close();
    }
  });

  it('refuses a class without execute at bootstrap, naming it', async () => {
    // @ts-expect-error the compiler already refuses a @JobHandler class without execute
    @JobHandler('no-execute')
    class NoExecuteJob {
      run(): void {}
    }
    const error = await expectBootstrapError({ providers: [NoExecuteJob] });
    expect(error).toBeInstanceOf(InvalidJobHandlerError);
    expect(error.message).toBe(
      'Invalid @JobHandler NoExecuteJob: the provider has no execute(task, ctx) method; a @JobHandler class must implement one',
    );
  });

  it('refuses a factory-built handler without execute at bootstrap', async () => {
    // @ts-expect-error the compiler already refuses a @JobHandler class without execute
    @JobHandler('factory-no-execute')
    class FactoryNoExecuteJob {}
    const error = await expectBootstrapError({
      providers: [{ provide: 'BROKEN', useFactory: () => new FactoryNoExecuteJob() }],
    });
    expect(error).toBeInstanceOf(InvalidJobHandlerError);
    expect(error.message).toMatch(/^Invalid @JobHandler FactoryNoExecuteJob: the provider has no execute/);
  });

  describe('request scope (refused: a scheduled job runs outside any request)', () => {
    it('refuses a request-scoped handler', async () => {
      @Injectable({ scope: Scope.REQUEST })
      @JobHandler('request-scoped')
      class RequestScopedJob {
        async execute(): Promise<void> {}
      }
      const error = await expectBootstrapError({ providers: [RequestScopedJob] });
      expect(error).toBeInstanceOf(InvalidJobHandlerError);
      expect(error.message).toMatch(/^Invalid @JobHandler RequestScopedJob: the provider is request-scoped/);
    });

    it('refuses a transient or default-scoped handler that depends on a request-scoped provider', async () => {
      @Injectable({ scope: Scope.REQUEST })
      class RequestContext {}

      @Injectable({ scope: Scope.TRANSIENT })
      @JobHandler('transient-with-request-dep')
      class TransientRequestJob {
        constructor(readonly context: RequestContext) {}
        async execute(): Promise<void> {}
      }

      @JobHandler('default-with-request-dep')
      class DefaultRequestJob {
        constructor(readonly context: RequestContext) {}
        async execute(): Promise<void> {}
      }

      for (const handler of [TransientRequestJob, DefaultRequestJob]) {
        const error = await expectBootstrapError({ providers: [RequestContext, handler] });
        expect(error).toBeInstanceOf(InvalidJobHandlerError);
        expect(error.message).toContain(
          `Invalid @JobHandler ${handler.name}: the provider is request-scoped`,
        );
      }
    });
  });

  describe('one kind, two handlers', () => {
    it('surfaces JobAlreadyRegisteredError for two classes of one kind', async () => {
      @JobHandler('dup')
      class FirstJob {
        async execute(): Promise<void> {}
      }
      @JobHandler('dup')
      class SecondJob {
        async execute(): Promise<void> {}
      }
      const error = await expectBootstrapError({ providers: [FirstJob, SecondJob] });
      expect(error).toBeInstanceOf(JobAlreadyRegisteredError);
      expect(error.message).toContain('"dup"');
    });

    it('surfaces JobAlreadyRegisteredError for one class provided by two modules (two instances)', async () => {
      @JobHandler('dup-module')
      class SharedJob {
        async execute(): Promise<void> {}
      }
      @Module({ providers: [SharedJob] })
      class ModuleA {}
      @Module({ providers: [SharedJob] })
      class ModuleB {}
      const error = await expectBootstrapError({ imports: [ModuleA, ModuleB] });
      expect(error).toBeInstanceOf(JobAlreadyRegisteredError);
    });
  });

  it('refuses two recurring handlers that claim one slug', async () => {
    @JobHandler('first', { cron: '@daily', slug: 'nightly' })
    class FirstNightlyJob {
      async execute(): Promise<void> {}
    }
    @JobHandler('second', { cron: '@hourly', slug: 'nightly' })
    class SecondNightlyJob {
      async execute(): Promise<void> {}
    }
    const error = await expectBootstrapError({ providers: [FirstNightlyJob, SecondNightlyJob] });
    expect(error).toBeInstanceOf(InvalidJobHandlerError);
    expect(error.message).toMatch(
      /SecondNightlyJob: its recurring task's slug "nightly" is already .* kind "first"/,
    );
  });

  it('surfaces an invalid cron expression at bootstrap', async () => {
    @JobHandler('bad-cron', '* * * *')
    class BadCronJob {
      async execute(): Promise<void> {}
    }
    const error = await expectBootstrapError({ providers: [BadCronJob] });
    expect(error).toBeInstanceOf(InvalidCronExpressionError);
  });
});
