import {
  Inject,
  Injectable,
  Logger,
  Module,
  type INestApplicationContext,
  type LoggerService,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InvalidArgumentError } from '../../lib/core/errors/index.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import type { Scheduler } from '../../lib/core/scheduler.types.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import {
  getSchedulerToken,
  InjectScheduler,
  SchedulerModule,
  SchedulerService,
  type SchedulerOptionsFactory,
  type SchedulerRootOptions,
} from '../../lib/nest/index.js';
import { SCHEDULER_MODULE_OPTIONS } from '../../lib/nest/scheduler.constants.js';
import type { ResolvedSchedulerModuleOptions } from '../../lib/nest/scheduler-module-options.interface.js';
import { quietLogger } from './nest-test-helpers.js';

const CONFIG = 'CONFIG';

interface AppConfig {
  instanceId: string;
  maxConcurrency: number;
}

@Module({
  providers: [
    { provide: CONFIG, useValue: { instanceId: 'from-config', maxConcurrency: 3 } satisfies AppConfig },
  ],
  exports: [CONFIG],
})
class ConfigModule {}

@Injectable()
class SchedulerConfig implements SchedulerOptionsFactory {
  static calls = 0;
  constructor(@Inject(CONFIG) private readonly config: AppConfig) {}

  createSchedulerOptions(): SchedulerRootOptions {
    SchedulerConfig.calls += 1;
    return {
      store: new MemoryStore(),
      instanceId: this.config.instanceId,
      logger: quietLogger,
      autoStart: false,
    };
  }
}

@Module({ imports: [ConfigModule], providers: [SchedulerConfig], exports: [SchedulerConfig] })
class SchedulerConfigModule {}

/** A feature module that does not import SchedulerModule: the module is global. */
@Injectable()
class FeatureService {
  constructor(
    readonly service: SchedulerService,
    @InjectScheduler() readonly scheduler: Scheduler,
  ) {}
}
@Module({ providers: [FeatureService] })
class FeatureModule {}

async function boot(imports: NonNullable<Parameters<typeof Test.createTestingModule>[0]['imports']>) {
  const moduleRef = await Test.createTestingModule({ imports }).compile();
  return moduleRef.init();
}

function optionsOf(app: INestApplicationContext): ResolvedSchedulerModuleOptions {
  return app.get<ResolvedSchedulerModuleOptions>(SCHEDULER_MODULE_OPTIONS);
}

describe('SchedulerModule', () => {
  describe('forRoot', () => {
    it('provides SchedulerService and the engine globally, with defaults, and starts the loop', async () => {
      const store = new MemoryStore();
      const app = await boot([SchedulerModule.forRoot(store, { logger: quietLogger }), FeatureModule]);
      try {
        const feature = app.get(FeatureService);
        expect(feature.service).toBe(app.get(SchedulerService));
        expect(feature.scheduler).toBe(app.get(getSchedulerToken()));
        expect(feature.scheduler).toBeInstanceOf(StdScheduler);
        expect(feature.service.isRunning).toBe(true);
        const options = optionsOf(app);
        expect(options).toMatchObject({
          store,
          autoStart: true,
          shutdownTimeoutMs: 10_000,
          closeStore: true,
        });
      } finally {
        await app.close();
      }
      expect(app.get(SchedulerService).isRunning).toBe(false);
    });

    it("logs through Nest's Logger with the context 'Scheduler' by default", async () => {
      const app = await boot([SchedulerModule.forRoot(new MemoryStore(), { autoStart: false })]);
      try {
        const { logger } = optionsOf(app);
        expect(logger).toBeInstanceOf(Logger);
        expect((logger as Logger & { context?: string }).context).toBe('Scheduler');
      } finally {
        await app.close();
      }
    });

    it("sends the engine's lines to the app's logger (app.useLogger), with the context 'Scheduler'", async () => {
      const lines: Array<{ level: string; message: unknown; context: unknown }> = [];
      const capture =
        (level: string) =>
        (message: unknown, ...rest: unknown[]): void => {
          lines.push({ level, message, context: rest.at(-1) });
        };
      const appLogger: LoggerService = {
        log: capture('log'),
        warn: capture('warn'),
        error: capture('error'),
      };
      const moduleRef = await Test.createTestingModule({
        imports: [SchedulerModule.forRoot(new MemoryStore(), { instanceId: 'logged' })],
      }).compile();
      moduleRef.useLogger(appLogger);
      await moduleRef.init();
      await moduleRef.close();
      expect(lines).toContainEqual({
        level: 'log',
        message: expect.stringContaining('logged started'),
        context: 'Scheduler',
      });
      expect(lines).toContainEqual({
        level: 'log',
        message: expect.stringContaining('logged stopped'),
        context: 'Scheduler',
      });
    });

    it('hands the engine options to the engine', async () => {
      const app = await boot([
        SchedulerModule.forRoot(new MemoryStore(), {
          instanceId: 'worker-1',
          logger: quietLogger,
          autoStart: false,
        }),
      ]);
      try {
        expect(app.get(SchedulerService).instanceId).toBe('worker-1');
        expect(app.get(SchedulerService).isRunning).toBe(false);
      } finally {
        await app.close();
      }
    });

    it('refuses a missing store', () => {
      expect(() => SchedulerModule.forRoot(undefined as unknown as MemoryStore)).toThrow(
        InvalidArgumentError,
      );
      expect(() => SchedulerModule.forRoot(undefined as unknown as MemoryStore)).toThrow(
        /JobStore instance is required/,
      );
    });
  });

  describe('forRootAsync', () => {
    it('builds the options with useFactory and inject, defaults merged', async () => {
      const store = new MemoryStore();
      const app = await boot([
        SchedulerModule.forRootAsync({
          imports: [ConfigModule],
          inject: [CONFIG],
          useFactory: (config: AppConfig) => ({
            store,
            instanceId: config.instanceId,
            maxConcurrency: config.maxConcurrency,
            logger: quietLogger,
          }),
        }),
        FeatureModule,
      ]);
      try {
        expect(optionsOf(app)).toMatchObject({
          store,
          instanceId: 'from-config',
          maxConcurrency: 3,
          autoStart: true,
          shutdownTimeoutMs: 10_000,
          closeStore: true,
        });
        expect(app.get(FeatureService).service.instanceId).toBe('from-config');
        expect(app.get(SchedulerService).isRunning).toBe(true);
      } finally {
        await app.close();
      }
    });

    it('accepts an async factory', async () => {
      const app = await boot([
        SchedulerModule.forRootAsync({
          useFactory: async () => ({ store: new MemoryStore(), logger: quietLogger, shutdownTimeoutMs: 500 }),
        }),
      ]);
      try {
        expect(optionsOf(app)).toMatchObject({ shutdownTimeoutMs: 500, autoStart: true });
      } finally {
        await app.close();
      }
    });

    it('builds the options with useClass, whose dependencies come from imports', async () => {
      SchedulerConfig.calls = 0;
      const app = await boot([
        SchedulerModule.forRootAsync({ imports: [ConfigModule], useClass: SchedulerConfig }),
      ]);
      try {
        expect(optionsOf(app)).toMatchObject({
          instanceId: 'from-config',
          autoStart: false,
          closeStore: true,
        });
        expect(app.get(SchedulerService).instanceId).toBe('from-config');
        expect(SchedulerConfig.calls).toBe(1);
      } finally {
        await app.close();
      }
    });

    it('gives useClass the extraProviders', async () => {
      const app = await boot([
        SchedulerModule.forRootAsync({
          useClass: SchedulerConfig,
          extraProviders: [{ provide: CONFIG, useValue: { instanceId: 'from-extra', maxConcurrency: 1 } }],
        }),
      ]);
      try {
        expect(app.get(SchedulerService).instanceId).toBe('from-extra');
      } finally {
        await app.close();
      }
    });

    it('builds the options with useExisting, reusing the imported provider', async () => {
      SchedulerConfig.calls = 0;
      const app = await boot([
        SchedulerModule.forRootAsync({ imports: [SchedulerConfigModule], useExisting: SchedulerConfig }),
      ]);
      try {
        expect(optionsOf(app)).toMatchObject({ instanceId: 'from-config', shutdownTimeoutMs: 10_000 });
        expect(SchedulerConfig.calls).toBe(1);
      } finally {
        await app.close();
      }
    });

    it('refuses options without useFactory, useClass or useExisting', () => {
      expect(() => SchedulerModule.forRootAsync({})).toThrow(InvalidArgumentError);
      expect(() => SchedulerModule.forRootAsync({})).toThrow(/useFactory, useClass or useExisting/);
    });

    it('refuses a factory that returns no store, at bootstrap', async () => {
      const moduleRef = Test.createTestingModule({
        imports: [SchedulerModule.forRootAsync({ useFactory: () => ({}) as SchedulerRootOptions })],
      });
      await expect(moduleRef.compile()).rejects.toThrow(/JobStore instance is required/);
    });
  });
});
