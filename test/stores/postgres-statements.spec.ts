import { resolveNames } from '../../lib/stores/postgres/names.js';
import { buildQueries } from '../../lib/stores/postgres/queries.js';

const queries = buildQueries(resolveNames('some_schema', 'some_table'));

describe('PostgreSQL statements', () => {
  it('each name one prepared statement', () => {
    const names = Object.values(queries).map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(Object.entries(queries))('%s uses each of its named parameters, and only those', (_key, s) => {
    const used = new Set([...s.text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    expect([...used].sort((a, b) => a - b)).toEqual(s.parameters.map((_name, i) => i + 1));
  });

  it('binds each value to the parameter of its name', () => {
    const { parameters, with: bind } = queries.update;
    const bound = bind({ slug: 'a', patch: { paused: true }, ifIdle: true, channel: 'c' });
    expect(bound.values).toHaveLength(parameters.length);
    const value = (name: string): unknown => bound.values[parameters.indexOf(name)];
    expect([value('slug'), value('setPaused'), value('paused'), value('ifIdle'), value('channel')]).toEqual([
      'a',
      true,
      true,
      true,
      'c',
    ]);
    // Pausing alone is no redefinition: the version stays.
    expect([value('setRunAt'), value('setPayload'), value('versionIncrement')]).toEqual([false, false, 0]);
    expect(bound.text).toContain(
      `NOT (${'$' + (parameters.indexOf('ifIdle') + 1)}::boolean AND target.running)`,
    );
  });
});
