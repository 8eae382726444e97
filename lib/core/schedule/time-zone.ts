import { InvalidArgumentError } from '../errors/index.js';

/** One day in milliseconds. No zone moves its clock twice within a day, nor by more than a day. */
export const DAY_MS = 86_400_000;
/** The largest time a `Date` can hold. */
export const MAX_TIME_MS = 8.64e15;

const FORMAT_OPTIONS: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
};

/** Gregorian calendars repeat every 400 years, which lets years 0-99 avoid `Date.UTC`'s 19xx mapping. */
const FOUR_CENTURIES_MS = 146_097 * DAY_MS;

/** Milliseconds since the epoch of a calendar date and time read as UTC. */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second);
  return Date.UTC(year + 400, month - 1, day, hour, minute, second) - FOUR_CENTURIES_MS;
}

/**
 * Checks an IANA time zone name.
 * @throws InvalidArgumentError when the zone is not a non-empty name the runtime knows.
 */
export function assertTimeZone(timeZone: unknown): string {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') {
    throw new InvalidArgumentError('timeZone', `${JSON.stringify(timeZone)} is not an IANA time zone name`);
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new InvalidArgumentError(
      'timeZone',
      `unknown IANA time zone "${timeZone}" (like "Europe/Lisbon" or "UTC")`,
    );
  }
  return timeZone;
}

/**
 * A zone's UTC offsets and the instants they change (DST transitions), read from the runtime's
 * time zone data through `Intl`. Transitions are found per UTC year and cached.
 */
export class ZoneRules {
  private readonly format: Intl.DateTimeFormat | undefined;
  private readonly years = new Map<number, readonly number[]>();

  constructor(readonly timeZone: string) {
    const format = new Intl.DateTimeFormat('en-US', { ...FORMAT_OPTIONS, timeZone });
    // UTC needs no lookups at all: the common case stays cheap.
    this.format = format.resolvedOptions().timeZone === 'UTC' ? undefined : format;
  }

  /** The zone's offset from UTC at `time`, in milliseconds (wall clock = time + offset). */
  offsetAt(time: number): number {
    if (!this.format) return 0;
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of this.format.formatToParts(time)) {
      const value = Number(part.value);
      if (part.type === 'year') year = value;
      else if (part.type === 'month') month = value;
      else if (part.type === 'day') day = value;
      else if (part.type === 'hour') hour = value;
      else if (part.type === 'minute') minute = value;
      else if (part.type === 'second') second = value;
    }
    const wholeSecond = time - (((time % 1000) + 1000) % 1000);
    return utcMs(year, month, day, hour, minute, second) - wholeSecond;
  }

  /** The wall-clock time at `time`, as milliseconds of a calendar read as UTC. */
  wallAt(time: number): number {
    return time + this.offsetAt(time);
  }

  /** The last transition `T` with `from < T <= to`, if any (`to - from` at most a day or so). */
  lastTransitionIn(from: number, to: number): number | undefined {
    let found: number | undefined;
    for (let year = yearOf(from); year <= yearOf(to); year++) {
      for (const t of this.transitionsOf(year)) if (t > from && t <= to) found = t;
    }
    return found;
  }

  /**
   * The first transition after `time` within this UTC year or the next one; `undefined` when there
   * is none that soon (the caller then walks on from the end of that span, see {@link spanEndAfter}).
   */
  firstTransitionAfter(time: number): number | undefined {
    const year = yearOf(time);
    for (const y of [year, year + 1]) {
      for (const t of this.transitionsOf(y)) if (t > time) return t;
    }
    return undefined;
  }

  /** The end of the span {@link firstTransitionAfter} looks at: the start of the year after next. */
  spanEndAfter(time: number): number {
    return Math.min(MAX_TIME_MS, utcMs(yearOf(time) + 2, 1, 1));
  }

  /** Transitions `T` with start-of-`year` < `T` <= start-of-next-year, ascending. */
  private transitionsOf(year: number): readonly number[] {
    if (!this.format) return [];
    let found = this.years.get(year);
    if (found) return found;
    const start = Math.max(-MAX_TIME_MS, utcMs(year, 1, 1));
    const end = Math.min(MAX_TIME_MS, utcMs(year + 1, 1, 1));
    const list: number[] = [];
    let at = start;
    let offset = this.offsetAt(at);
    while (at < end) {
      const next = Math.min(at + DAY_MS, end);
      const nextOffset = this.offsetAt(next);
      if (nextOffset !== offset) list.push(this.bisect(at, next, offset));
      at = next;
      offset = nextOffset;
    }
    found = list;
    if (this.years.size > 400) this.years.clear();
    this.years.set(year, found);
    return found;
  }

  /** The first whole second in `(from, to]` whose offset differs from `offsetAtFrom`. */
  private bisect(from: number, to: number, offsetAtFrom: number): number {
    let low = from;
    let high = to;
    while (high - low > 1000) {
      const middle = low + Math.floor((high - low) / 2000) * 1000;
      if (this.offsetAt(middle) === offsetAtFrom) low = middle;
      else high = middle;
    }
    return high;
  }
}

const rulesByZone = new Map<string, ZoneRules>();

/** The shared {@link ZoneRules} of a zone (its transition cache is worth keeping across triggers). */
export function zoneRules(timeZone: string): ZoneRules {
  let rules = rulesByZone.get(timeZone);
  if (!rules) {
    if (rulesByZone.size > 1000) rulesByZone.clear();
    rules = new ZoneRules(assertTimeZone(timeZone));
    rulesByZone.set(timeZone, rules);
  }
  return rules;
}

function yearOf(time: number): number {
  return new Date(time).getUTCFullYear();
}
