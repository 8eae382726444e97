const UNITS: ReadonlyArray<[string, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
  ['millisecond', 1],
];

/** A duration in words: `1 hour 30 minutes`, `5 seconds`, `250 milliseconds`. */
export function durationInWords(ms: number): string {
  let rest = Math.max(0, Math.round(ms));
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count} ${unit}${count === 1 ? '' : 's'}`);
    rest -= count * size;
  }
  return parts.length === 0 ? '0 milliseconds' : parts.join(' ');
}

/** A short, rounded duration: `3 s`, `12 min`, `5 h`, `2 d`. */
export function shortDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  if (abs < 60_000) return `${Math.round(abs / 1000)} s`;
  if (abs < 3_600_000) return `${Math.round(abs / 60_000)} min`;
  if (abs < 86_400_000) return `${Math.round(abs / 3_600_000)} h`;
  return `${Math.round(abs / 86_400_000)} d`;
}

/** `in 3 s` or `12 min ago`, from `now`. */
export function relativeTime(at: Date, now: Date): string {
  const delta = at.getTime() - now.getTime();
  if (Math.abs(delta) < 1000) return 'now';
  return delta > 0 ? `in ${shortDuration(delta)}` : `${shortDuration(delta)} ago`;
}

/** `2030-06-01 12:00:05 UTC`: one zone for every viewer and every instance. */
export function utcTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
