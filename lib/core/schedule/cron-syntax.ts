import { InvalidArgumentError, InvalidCronExpressionError } from '../errors/index.js';
import { parseDuration } from './duration.js';

/**
 * The shortcuts a cron expression may be, with the 5-field expressions they stand for.
 * `@every <duration>` is handled apart: it is an interval, not a calendar rule.
 */
export const CRON_SHORTCUTS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** What a cron expression means once checked: a calendar rule (6 fields) or a fixed interval. */
export type ParsedCronSyntax =
  { kind: 'calendar'; sixFields: string } | { kind: 'interval'; everyMs: number };

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Day-of-month `L`, day-of-week `5L` / `5#2`, and `?`. */
  special?: 'day-of-month' | 'day-of-week';
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELD_RULES: readonly FieldRule[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, special: 'day-of-month' },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day of week', min: 0, max: 7, names: DAY_NAMES, special: 'day-of-week' },
];

/**
 * Checks a cron expression strictly and returns what it means. `cron-parser` is lenient (it takes
 * `* * * *` and an empty string, and knows a random `H`), so every field is checked here first.
 *
 * @throws InvalidCronExpressionError with the reason, for anything but 5 or 6 well-formed fields,
 * a known shortcut or `@every <duration>`.
 */
export function parseCronSyntax(expression: string): ParsedCronSyntax {
  if (typeof expression !== 'string') {
    throw new InvalidCronExpressionError(String(expression), 'a cron expression is a string');
  }
  const source = expression.trim();
  if (source === '') throw new InvalidCronExpressionError(expression, 'the expression is empty');

  if (source.startsWith('@')) return parseShortcut(expression, source);

  const fields = source.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new InvalidCronExpressionError(
      expression,
      `expected 5 fields (minute hour day-of-month month day-of-week) or 6 (with seconds first), got ${fields.length}`,
    );
  }
  const six = fields.length === 5 ? ['0', ...fields] : fields;
  six.forEach((field, index) => checkField(expression, field, FIELD_RULES[index]));
  return { kind: 'calendar', sixFields: six.join(' ') };
}

function parseShortcut(expression: string, source: string): ParsedCronSyntax {
  const [head, ...rest] = source.split(/\s+/);
  const name = head.toLowerCase();
  if (name === '@every') {
    if (rest.length !== 1) {
      throw new InvalidCronExpressionError(
        expression,
        '@every takes one duration, like "@every 30s" or "@every 1h30m"',
      );
    }
    try {
      return { kind: 'interval', everyMs: parseDuration(rest[0]) };
    } catch (error) {
      if (error instanceof InvalidArgumentError)
        throw new InvalidCronExpressionError(expression, error.reason);
      throw error;
    }
  }
  const fields = CRON_SHORTCUTS[name];
  if (fields === undefined) {
    const known = [...Object.keys(CRON_SHORTCUTS), '@every <duration>'].join(', ');
    throw new InvalidCronExpressionError(expression, `unknown shortcut "${head}" (known: ${known})`);
  }
  if (rest.length > 0) throw new InvalidCronExpressionError(expression, `${head} takes no fields after it`);
  return { kind: 'calendar', sixFields: `0 ${fields}` };
}

function checkField(expression: string, field: string, rule: FieldRule): void {
  const fail = (reason: string): never => {
    throw new InvalidCronExpressionError(expression, `${rule.name} field "${field}": ${reason}`);
  };
  if (/(^|[,/-])H($|[(,/-])/i.test(field)) {
    // cron-parser reads H as a random ("hashed") value: instances would disagree on the fire times.
    fail('H (a random value) is not supported: every instance must compute the same times');
  }
  if (field === '?') {
    if (!rule.special) fail('? is allowed only in the day-of-month and day-of-week fields');
    return;
  }
  const items = field.split(',');
  if (field.includes('#') && items.length > 1) fail('# cannot be combined with a list');
  for (const item of items) {
    if (item === '') fail('empty list item');
    checkItem(item, rule, fail);
  }
}

function checkItem(item: string, rule: FieldRule, fail: (reason: string) => never): void {
  if (rule.special === 'day-of-month' && item.toUpperCase() === 'L') return;
  if (rule.special === 'day-of-week') {
    const last = /^(.+)L$/i.exec(item);
    if (last && !/^(.+)-/.test(last[1])) {
      readValue(last[1], rule, fail);
      return;
    }
    if (item.toUpperCase() === 'L')
      fail('L alone is not supported here: write 5L for the last Friday of the month');
    if (item.includes('#')) {
      const nth = /^([^#]+)#(\d+)$/.exec(item);
      if (!nth) fail(`"${item}" is not of the form day#n (like 1#2, the second Monday)`);
      const [, day, occurrence] = nth as RegExpExecArray;
      if (day.includes('-')) fail('# cannot be combined with a range');
      readValue(day, rule, fail);
      const n = Number(occurrence);
      if (n < 1 || n > 5) fail(`#${occurrence}: the occurrence must be between 1 and 5`);
      return;
    }
  }
  if (/L|W/i.test(item) && !rule.names)
    fail(`"${item}": L and W are supported only as L (day of month) and nL (day of week)`);

  const parts = item.split('/');
  if (parts.length > 2) fail(`"${item}" has more than one step`);
  const [base, step] = parts;
  if (step !== undefined) {
    if (!/^\d+$/.test(step)) fail(`step "${step}" is not a positive whole number`);
    const size = rule.max - rule.min + 1;
    const n = Number(step);
    if (n < 1 || n > size) fail(`step ${step} is out of range 1-${size}`);
  }
  if (base === '*') return;
  if (base === '?') fail('? must be the whole field');
  const bounds = base.split('-');
  if (bounds.length > 2) fail(`"${base}" is not a value or a range a-b`);
  const from = readValue(bounds[0], rule, fail);
  if (bounds.length === 2) {
    const to = readValue(bounds[1], rule, fail);
    if (from > to) fail(`range ${base} starts after it ends`);
  }
}

function readValue(token: string, rule: FieldRule, fail: (reason: string) => never): number {
  if (token === '') fail('missing value');
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    if (value < rule.min || value > rule.max) fail(`${token} is out of range ${rule.min}-${rule.max}`);
    return value;
  }
  const index = rule.names?.indexOf(token.toUpperCase()) ?? -1;
  if (index >= 0) return index + (rule.name === 'month' ? 1 : 0);
  const hint = rule.names ? ` (or a name ${rule.names[0]}-${rule.names[rule.names.length - 1]})` : '';
  return fail(`"${token}" is not a number ${rule.min}-${rule.max}${hint}`);
}
