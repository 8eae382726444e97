/**
 * The operations of a fault run, as plain data (so that fast-check prints a failing sequence
 * readably and shrinks it by dropping and simplifying operations), and their generators.
 */
import fc from 'fast-check';

import { RETURNED_VALUES, THROWN_VALUES, type Behaviour, describeBehaviour } from './behaviours.js';

/** A schedule written by hand into a task (issue #9, item 3: it must fail the task, not the instance). */
export const CORRUPT_SCHEDULES = {
  'bad-cron': { type: 'cron', expression: '61 * * * *', timeZone: 'UTC' },
  'bad-zone': { type: 'cron', expression: '* * * * *', timeZone: 'Mars/Olympus_Mons' },
  'bad-interval': { type: 'interval', everyMs: -1 },
  'unknown-type': { type: 'lunar', phase: 'full' },
  'not-an-object': 'garbage',
} as const;
export type CorruptVariant = keyof typeof CORRUPT_SCHEDULES;

/** Slugs and kinds that must be refused before anything is written (issue #9, item 5). */
export const BAD_NAMES = {
  'lone-surrogate': { slug: 'bad\uD800slug', kind: 'plain' },
  'too-long': { slug: 'x'.repeat(5000), kind: 'plain' },
  'multibyte-too-long': { slug: '\u65e5'.repeat(2000), kind: 'plain' },
  'bad-kind': { slug: 'bad-kind-slug', kind: 'k\uDFFF' },
} as const;
export type BadNameVariant = keyof typeof BAD_NAMES;

export type FaultCommand =
  | {
      op: 'schedule';
      slug: string;
      kind: string;
      behaviour: Behaviour;
      delay: number;
      replace: boolean;
      recurring: boolean;
      via: number;
    }
  | { op: 'delete' | 'pause' | 'resume' | 'trigger'; slug: string; via: number }
  | { op: 'reschedule'; slug: string; delay: number; via: number }
  | { op: 'wait'; ms: number }
  | { op: 'corrupt'; slug: string; variant: CorruptVariant }
  | { op: 'bad-name'; variant: BadNameVariant; via: number }
  /** In-process: the clock leaps two leases at once (a stalled process; leases may expire). */
  | { op: 'jump' }
  /** In-process: an instance stops gracefully (running jobs abandoned after the timeout) and starts again. */
  | { op: 'restart-instance'; instance: number }
  /** Every connection of a worker is reset (RST) by its proxy. */
  | { op: 'reset'; worker: number }
  /** A worker's connections stall for `ms` (both directions, nothing closed). */
  | { op: 'stall'; worker: number; ms: number }
  /** A worker is SIGKILLed (and a new one started in its place). */
  | { op: 'kill'; worker: number }
  /** A worker is stopped (SIGTERM) while its connections are stalled: stop must still return in time. */
  | { op: 'stop-stalled'; worker: number }
  /** The database (one the test owns) is shut down and started again after `downMs`. */
  | { op: 'restart-db'; downMs: number };

export type FaultOp = FaultCommand['op'];

/** What a store's runs generate: sizes and times (virtual ms in-process, real ms for workers). */
export interface CommandProfile {
  slugs: readonly string[];
  /** Instances a command may go through. */
  via: number;
  /** Workers a fault may hit. */
  workers: number;
  maxCommands: number;
  delays: readonly number[];
  waits: readonly number[];
  hangMs: readonly number[];
  stallMs: readonly number[];
  downMs: readonly number[];
  kinds: readonly string[];
  /** Fault operations this profile uses. */
  faults: readonly FaultOp[];
  /** Whether tasks may be recurring (`{ every: recurringEveryMs }`). */
  recurring: boolean;
}

function behaviourArb(profile: CommandProfile): fc.Arbitrary<Behaviour> {
  const thrown = THROWN_VALUES;
  const returned = RETURNED_VALUES;
  const options: Array<fc.WeightedArbitrary<Behaviour>> = [
    { weight: 4, arbitrary: fc.constant({ do: 'ok' }) },
  ];
  if (thrown.length > 0) {
    options.push({
      weight: 2,
      arbitrary: fc.constantFrom(...thrown).map((value) => ({ do: 'throw', value }) as Behaviour),
    });
  }
  if (returned.length > 0) {
    options.push({
      weight: 2,
      arbitrary: fc.constantFrom(...returned).map((value) => ({ do: 'return', value }) as Behaviour),
    });
  }
  {
    options.push({
      weight: 2,
      arbitrary: fc
        .record({
          ms: fc.constantFrom(...profile.hangMs),
          onAbort: fc.constantFrom('throw' as const, 'return' as const, 'ignore' as const),
        })
        .map(({ ms, onAbort }) => ({ do: 'hang', ms, onAbort }) as Behaviour),
    });
  }
  return fc.oneof(...options);
}

/** Generates sequences of operations for one store's runs. */
export function commandsArb(profile: CommandProfile): fc.Arbitrary<FaultCommand[]> {
  const slug = fc.constantFrom(...profile.slugs);
  const via = fc.nat({ max: profile.via - 1 });
  const worker = fc.nat({ max: Math.max(0, profile.workers - 1) });
  const kinds = profile.kinds;
  const options: Array<fc.WeightedArbitrary<FaultCommand>> = [
    {
      weight: 8,
      arbitrary: fc
        .record({
          slug,
          kind: fc.constantFrom(...kinds),
          behaviour: behaviourArb(profile),
          delay: fc.constantFrom(...profile.delays),
          replace: fc.boolean(),
          recurring: profile.recurring ? fc.boolean() : fc.constant(false),
          via,
        })
        .map((fields) => ({ op: 'schedule', ...fields }) as FaultCommand),
    },
    {
      weight: 4,
      arbitrary: fc.record({ ms: fc.constantFrom(...profile.waits) }).map((f) => ({ op: 'wait', ...f })),
    },
  ];
  for (const op of ['delete', 'pause', 'resume', 'trigger'] as const) {
    options.push({
      weight: op === 'delete' ? 2 : 1,
      arbitrary: fc.record({ slug, via }).map((fields) => ({ op, ...fields }) as FaultCommand),
    });
  }
  {
    options.push({
      weight: 1,
      arbitrary: fc
        .record({ slug, delay: fc.constantFrom(...profile.delays), via })
        .map((fields) => ({ op: 'reschedule', ...fields }) as FaultCommand),
    });
  }
  {
    const variants = Object.keys(CORRUPT_SCHEDULES) as CorruptVariant[];
    options.push({
      weight: 1,
      arbitrary: fc
        .record({ slug, variant: fc.constantFrom(...variants) })
        .map((fields) => ({ op: 'corrupt', ...fields }) as FaultCommand),
    });
  }
  {
    const variants = Object.keys(BAD_NAMES) as BadNameVariant[];
    options.push({
      weight: 1,
      arbitrary: fc
        .record({ variant: fc.constantFrom(...variants), via })
        .map((fields) => ({ op: 'bad-name', ...fields }) as FaultCommand),
    });
  }
  const faultArbs = profile.faults.map((op) => faultArb(op, profile, via, worker));
  for (const arbitrary of faultArbs) options.push({ weight: 1, arbitrary });

  // Scenarios: a job is running (a hang of the longest kind, due at once) when something happens to
  // it. Random single operations rarely line up like that, and it is where issue #9 item 1 lives.
  const running = fc
    .record({
      slug,
      kind: fc.constantFrom(...kinds),
      onAbort: fc.constantFrom('throw' as const, 'return' as const, 'ignore' as const),
      via,
    })
    .map(({ slug: s, kind, onAbort, via: v }): FaultCommand => ({
      op: 'schedule',
      slug: s,
      kind,
      behaviour: { do: 'hang', ms: profile.hangMs[profile.hangMs.length - 1], onAbort },
      delay: 0,
      replace: true,
      recurring: false,
      via: v,
    }));
  const settle = fc
    .constantFrom(...profile.waits.slice(0, 2))
    .map((ms): FaultCommand => ({ op: 'wait', ms }));
  const scenarios: Array<fc.Arbitrary<FaultCommand[]>> = [];
  type Schedule = Extract<FaultCommand, { op: 'schedule' }>;
  const newVersion = (first: FaultCommand, behaviour: Behaviour, v: number): Schedule => ({
    ...(first as Schedule),
    behaviour,
    replace: true,
    via: v,
  });
  {
    scenarios.push(
      fc
        .tuple(running, settle, behaviourArb(profile), via)
        .map(([first, wait, behaviour, v]) => [first, wait, newVersion(first, behaviour, v)]),
    );
  }
  {
    scenarios.push(
      fc.tuple(running, settle, behaviourArb(profile), via).map(([first, wait, behaviour, v]) => {
        const again = { ...newVersion(first, behaviour, v), replace: false };
        return [first, wait, { op: 'delete', slug: again.slug, via: v } as FaultCommand, again];
      }),
    );
  }
  if (faultArbs.length > 0) {
    scenarios.push(fc.tuple(running, settle, fc.oneof(...faultArbs)).map((sequence) => [...sequence]));
  }
  const step: fc.Arbitrary<FaultCommand[]> = fc.oneof(
    { weight: 12, arbitrary: fc.oneof(...options).map((command) => [command]) },
    ...scenarios.map((arbitrary) => ({ weight: 1, arbitrary })),
  );
  return fc
    .array(step, { minLength: 1, maxLength: profile.maxCommands })
    .map((steps) => steps.flat().slice(0, profile.maxCommands + 3));
}

function faultArb(
  op: FaultOp,
  profile: CommandProfile,
  via: fc.Arbitrary<number>,
  worker: fc.Arbitrary<number>,
): fc.Arbitrary<FaultCommand> {
  switch (op) {
    case 'jump':
      return fc.constant({ op: 'jump' });
    case 'restart-instance':
      return fc.record({ instance: via }).map((f) => ({ op: 'restart-instance', ...f }));
    case 'reset':
    case 'kill':
    case 'stop-stalled':
      return fc.record({ worker }).map((f) => ({ op, ...f }));
    case 'stall':
      return fc
        .record({ worker, ms: fc.constantFrom(...profile.stallMs) })
        .map((f) => ({ op: 'stall', ...f }));
    case 'restart-db':
      return fc
        .record({ downMs: fc.constantFrom(...profile.downMs) })
        .map((f) => ({ op: 'restart-db', ...f }));
    default:
      throw new Error(`${op} is not a fault`);
  }
}

/** One line per operation, for failure reports. */
export function describeCommand(command: FaultCommand): string {
  switch (command.op) {
    case 'schedule':
      return (
        `schedule ${command.slug} kind=${command.kind} [${describeBehaviour(command.behaviour)}] delay=${command.delay}` +
        `${command.replace ? ' replace' : ''}${command.recurring ? ' recurring' : ''} via=${command.via}`
      );
    case 'reschedule':
      return `reschedule ${command.slug} delay=${command.delay} via=${command.via}`;
    case 'delete':
    case 'pause':
    case 'resume':
    case 'trigger':
      return `${command.op} ${command.slug} via=${command.via}`;
    case 'wait':
      return `wait ${command.ms}ms`;
    case 'corrupt':
      return `corrupt ${command.slug} schedule=${command.variant}`;
    case 'bad-name':
      return `schedule with bad name (${command.variant}) via=${command.via}`;
    case 'jump':
      return 'clock jumps two leases';
    case 'restart-instance':
      return `restart instance ${command.instance}`;
    case 'reset':
      return `reset connections of worker ${command.worker}`;
    case 'stall':
      return `stall worker ${command.worker} for ${command.ms}ms`;
    case 'kill':
      return `SIGKILL worker ${command.worker}`;
    case 'stop-stalled':
      return `stop worker ${command.worker} while its connections are stalled`;
    case 'restart-db':
      return `restart the database (down ${command.downMs}ms)`;
  }
}
