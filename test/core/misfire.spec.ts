/**
 * The misfire and overlap policies alone: pure functions, explicit times.
 */
import { InvalidArgumentError } from '../../lib/core/errors/index.js';
import {
  bufferedFire,
  decideMisfire,
  nextRegularFire,
  replayStart,
  resolveMisfirePolicy,
} from '../../lib/core/misfire.js';
import { SimpleTrigger } from '../../lib/core/schedule/simple-trigger.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2030, 0, 1);
const at = (minutes: number): Date => new Date(T0 + minutes * MINUTE);
const everyMinute = new SimpleTrigger(MINUTE);
const threeDays = 3 * 24 * 60;

describe('resolveMisfirePolicy', () => {
  it('takes the named policies and a bounded catch-up, and refuses anything else', () => {
    expect(resolveMisfirePolicy(undefined)).toEqual({ kind: 'fire-once' });
    expect(resolveMisfirePolicy('skip')).toEqual({ kind: 'skip' });
    expect(resolveMisfirePolicy({ catchUp: { maxFires: 5 } })).toEqual({
      kind: 'catch-up',
      maxFires: 5,
      maxAgeMs: undefined,
    });
    for (const bad of [
      'sometimes',
      { catchUp: { maxFires: -1 } },
      { catchUp: { maxAgeMs: 1.5 } },
      { other: 1 },
    ]) {
      expect(() => resolveMisfirePolicy(bad as never)).toThrow(InvalidArgumentError);
    }
  });
});

describe('bounded catch-up', () => {
  it('replays only the last maxFires of a three-day outage of a one-minute job', () => {
    const policy = resolveMisfirePolicy({ catchUp: { maxFires: 5 } });
    // Due at minute 0, found at minute 4320 + 0.5: 4,321 fires are due.
    const now = new Date(at(threeDays).getTime() + 30_000);
    expect(decideMisfire(everyMinute, at(0), now, policy)).toEqual({
      action: 'skip',
      missedFires: 1000, // counted up to the event's bound
      next: at(threeDays - 4),
    });
    // From there, the next regular fires are the remaining four, then on schedule.
    const fires: Date[] = [at(threeDays - 4)];
    for (let i = 0; i < 5; i++)
      fires.push(nextRegularFire(everyMinute, fires[fires.length - 1], now, policy) as Date);
    expect(fires).toEqual([
      at(threeDays - 4),
      at(threeDays - 3),
      at(threeDays - 2),
      at(threeDays - 1),
      at(threeDays),
      at(threeDays + 1),
    ]);
  });

  it('replays only the fires newer than maxAgeMs, and runs the claimed fire when it is new enough', () => {
    const policy = resolveMisfirePolicy({ catchUp: { maxAgeMs: 10 * MINUTE } });
    const now = at(100);
    expect(decideMisfire(everyMinute, at(0), now, policy)).toMatchObject({ action: 'skip', next: at(90) });
    expect(decideMisfire(everyMinute, at(95), now, policy)).toMatchObject({ action: 'run' });
    expect(nextRegularFire(everyMinute, at(95), now, policy)).toEqual(at(96));
  });

  it('with both bounds, takes the stricter; with maxFires 0 replays nothing and carries on from now', () => {
    const both = resolveMisfirePolicy({ catchUp: { maxFires: 3, maxAgeMs: 10 * MINUTE } });
    expect(replayStart(everyMinute, at(0), at(100), both as never)).toEqual(at(98));
    const none = resolveMisfirePolicy({ catchUp: { maxFires: 0 } });
    expect(decideMisfire(everyMinute, at(0), new Date(at(100).getTime() + 1), none)).toMatchObject({
      action: 'skip',
      next: at(101),
    });
  });

  it('is unbounded catch-up without bounds, and leaves an on-time task alone', () => {
    const unbounded = resolveMisfirePolicy('catch-up');
    expect(nextRegularFire(everyMinute, at(0), at(100), unbounded)).toEqual(at(1));
    const bounded = resolveMisfirePolicy({ catchUp: { maxFires: 2 } });
    expect(decideMisfire(everyMinute, at(100), at(100), bounded)).toEqual({ action: 'run', missedFires: 0 });
  });
});

describe('overlap: buffer-one', () => {
  it('runs once more right after a run that a fire came due during, for the latest such fire', () => {
    // Due at 0, started at 0, ran until 3.5: fires 1, 2, 3 came due during the run.
    expect(bufferedFire(everyMinute, at(0), at(0), at(3.5), 'buffer-one')).toEqual(at(3));
    // A run that ended before the next fire buffers nothing; skip never does.
    expect(bufferedFire(everyMinute, at(0), at(0), at(0.5), 'buffer-one')).toBeNull();
    expect(bufferedFire(everyMinute, at(0), at(0), at(3.5), 'skip')).toBeNull();
    // Fires missed before the run started are the misfire policy's, not the overlap's.
    expect(bufferedFire(everyMinute, at(0), at(10.2), at(10.5), 'buffer-one')).toBeNull();
  });
});
