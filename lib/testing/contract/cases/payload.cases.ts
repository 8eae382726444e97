import type { Payload } from '../../../core/payload.js';
import { claim, leaseOf, newTask, past } from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';
import type { SuiteExpect } from '../../test-api.js';

const everyByte = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));

/** Payloads that must come back exactly, by name. */
const payloads: Array<[string, Payload]> = [
  [
    'nested JSON',
    {
      order: {
        id: 'o-1',
        lines: [
          { sku: 'a', qty: 2 },
          { sku: 'b', qty: 1, note: null },
        ],
        paid: true,
      },
      numbers: [0, -1, 1.5, 0.1, 1e21, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
      deep: { a: { b: { c: { d: { e: ['f'] } } } } },
    },
  ],
  [
    'unicode text and keys',
    { text: 'héllo wörld — 日本語 🚀 \u2028\u2029', ключ: 'значение', '🙂': '"quoted" \\ \n\t' },
  ],
  ['an empty object', {}],
  ['an empty array', []],
  ['an array', [1, 'two', null, { three: 3 }, [false]]],
  ['a top-level string', 'hello'],
  ['an empty string', ''],
  ['a string that looks like JSON', '{"a":1}'],
  ['a string that looks like base64', 'AAH/'],
  ['a top-level number', 42.5],
  ['zero', 0],
  ['a negative integer', -7],
  ['true', true],
  ['false', false],
  ['null', null],
  ['an object shaped like a serialised Buffer', { type: 'Buffer', data: [0, 255] }],
  ['a Buffer with 0x00 and 0xff', Buffer.from([0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0x00])],
  ['an empty Buffer', Buffer.alloc(0)],
  ['a Buffer holding every byte value', everyByte],
  ['a Buffer holding UTF-8 text', Buffer.from('not a string 🚀', 'utf8')],
];

function expectSamePayload(expect: SuiteExpect, actual: Payload | undefined, expected: Payload): void {
  if (Buffer.isBuffer(expected)) {
    expect(Buffer.isBuffer(actual)).toBe(true);
    expect((actual as Buffer).equals(expected)).toBe(true);
  } else {
    expect(Buffer.isBuffer(actual)).toBe(false);
    expect(actual).toEqual(expected);
    expect(typeof actual).toBe(typeof expected);
  }
}

/** Payload round trips through create, get, lock, list, update and settle, and isolation from the caller. */
export function payloadCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('payload round trip', () => {
    for (const [name, payload] of payloads)
      it(`${name} comes back exactly through create, get, lock and list`, async () => {
        const created = await ctx.store.create(newTask('p', { payload }));
        expectSamePayload(expect, created.payload, payload);
        expectSamePayload(expect, (await ctx.store.get('p'))?.payload, payload);
        expectSamePayload(expect, (await ctx.store.list({ limit: 10 })).tasks[0]?.payload, payload);
        const [held] = await claim(ctx.store, 'owner-a');
        expectSamePayload(expect, held.payload, payload);
      });

    for (const [name, payload] of payloads)
      it(`${name} comes back exactly when written by settle and by update`, async () => {
        await ctx.store.create(newTask('s', { payload: 'before' }));
        const [held] = await claim(ctx.store, 'owner-a');
        await ctx.store.settle('owner-a', [
          {
            ...leaseOf(held),
            type: 'reschedule',
            runAt: past(1),
            retry: 0,
            result: null,
            failed: false,
            payload,
          },
        ]);
        expectSamePayload(expect, (await ctx.store.get('s'))?.payload, payload);

        await ctx.store.create(newTask('u', { payload: 'before' }));
        const updated = await ctx.store.update('u', { payload });
        expect(updated.status).toBe('updated');
        expectSamePayload(expect, updated.status === 'updated' ? updated.task.payload : undefined, payload);
        expectSamePayload(expect, (await ctx.store.get('u'))?.payload, payload);
      });

    it('keeps a JSON string holding U+0000', async () => {
      await ctx.store.create(newTask('nul', { payload: { text: 'a\u0000b' } }));
      expect((await ctx.store.get('nul'))?.payload).toEqual({ text: 'a\u0000b' });
    });

    it('does not share payload objects with the caller', async () => {
      const payload = { list: [1, 2], inner: { flag: true } };
      await ctx.store.create(newTask('mine', { payload }));
      payload.list.push(3);
      payload.inner.flag = false;

      const read = (await ctx.store.get('mine'))?.payload as { list: number[]; inner: { flag: boolean } };
      expect(read).toEqual({ list: [1, 2], inner: { flag: true } });
      read.list.push(99);
      expect((await ctx.store.get('mine'))?.payload).toEqual({ list: [1, 2], inner: { flag: true } });
    });

    it('does not share Buffers with the caller', async () => {
      const bytes = Buffer.from([1, 2, 3]);
      await ctx.store.create(newTask('bytes', { payload: bytes }));
      bytes[0] = 9;
      const read = (await ctx.store.get('bytes'))?.payload as Buffer;
      expect([...read]).toEqual([1, 2, 3]);
      read[1] = 9;
      expect([...((await ctx.store.get('bytes'))?.payload as Buffer)]).toEqual([1, 2, 3]);
    });
  });
}
