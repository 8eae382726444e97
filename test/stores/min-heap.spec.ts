import { MinHeap } from '../../lib/stores/memory/min-heap.js';

interface Item {
  key: number;
  id: number;
  index: number;
}

function trackedHeap(): MinHeap<Item> {
  return new MinHeap<Item>({
    compare: (a, b) => a.key - b.key || a.id - b.id,
    onMove: (item, index) => {
      item.index = index;
    },
  });
}

/** A small deterministic generator, so that a failure replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function drain(heap: MinHeap<Item>): Item[] {
  const out: Item[] = [];
  for (let item = heap.pop(); item; item = heap.pop()) out.push(item);
  return out;
}

function expectPositionsTracked(heap: MinHeap<Item>): void {
  const misplaced = heap.toArray().filter((item, i) => item.index !== i);
  expect(misplaced).toEqual([]);
}

describe('MinHeap', () => {
  it('is empty at first', () => {
    const heap = trackedHeap();
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
    expect(heap.pop()).toBeUndefined();
    expect(() => heap.removeAt(0)).toThrow(RangeError);
    expect(() => heap.updateAt(0)).toThrow(RangeError);
  });

  it('pops items in order, ties in the order the comparator gives', () => {
    const next = random(1);
    const heap = trackedHeap();
    const items = Array.from({ length: 2000 }, (_, id) => ({ key: Math.floor(next() * 100), id, index: -1 }));
    for (const item of items) heap.push(item);
    expect(heap.size).toBe(2000);
    expect(heap.peek()).toBe([...items].sort((a, b) => a.key - b.key || a.id - b.id)[0]);
    expectPositionsTracked(heap);

    const popped = drain(heap);
    expect(popped).toEqual([...items].sort((a, b) => a.key - b.key || a.id - b.id));
    expect(popped.every((item) => item.index === -1)).toBe(true);
  });

  it('removes any item by its tracked position and keeps the order of the rest', () => {
    const next = random(2);
    const heap = trackedHeap();
    const items = Array.from({ length: 500 }, (_, id) => ({ key: Math.floor(next() * 1000), id, index: -1 }));
    for (const item of items) heap.push(item);

    const removed = new Set<Item>();
    for (const item of items) {
      if (next() < 0.5) continue;
      expect(heap.removeAt(item.index)).toBe(item);
      expect(item.index).toBe(-1);
      removed.add(item);
      expectPositionsTracked(heap);
    }
    const rest = items.filter((item) => !removed.has(item)).sort((a, b) => a.key - b.key || a.id - b.id);
    expect(drain(heap)).toEqual(rest);
  });

  it('restores the order after a key moves up or down', () => {
    const next = random(3);
    const heap = trackedHeap();
    const items = Array.from({ length: 300 }, (_, id) => ({ key: Math.floor(next() * 1000), id, index: -1 }));
    for (const item of items) heap.push(item);

    for (let round = 0; round < 600; round += 1) {
      const item = items[Math.floor(next() * items.length)];
      item.key = Math.floor(next() * 2000) - 500;
      heap.updateAt(item.index);
      expectPositionsTracked(heap);
    }
    expect(drain(heap)).toEqual([...items].sort((a, b) => a.key - b.key || a.id - b.id));
  });

  it('mixes pushes, pops and removals like a queue in use', () => {
    const next = random(4);
    const heap = trackedHeap();
    const live = new Set<Item>();
    let id = 0;
    for (let step = 0; step < 5000; step += 1) {
      const roll = next();
      if (roll < 0.5 || live.size === 0) {
        const item = { key: Math.floor(next() * 100), id: id++, index: -1 };
        heap.push(item);
        live.add(item);
      } else if (roll < 0.75) {
        const expected = [...live].sort((a, b) => a.key - b.key || a.id - b.id)[0];
        expect(heap.pop()).toBe(expected);
        live.delete(expected);
      } else {
        const victim = [...live][Math.floor(next() * live.size)];
        heap.removeAt(victim.index);
        live.delete(victim);
      }
      expect(heap.size).toBe(live.size);
    }
    expectPositionsTracked(heap);
  });

  it('tells every item it left on clear, and works without onMove', () => {
    const heap = trackedHeap();
    const items = [5, 3, 8].map((key, id) => ({ key, id, index: -1 }));
    for (const item of items) heap.push(item);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(items.map((item) => item.index)).toEqual([-1, -1, -1]);

    const plain = new MinHeap<number>({ compare: (a, b) => a - b });
    [4, 1, 3, 2].forEach((n) => plain.push(n));
    expect(plain.at(0)).toBe(1);
    expect([plain.pop(), plain.pop(), plain.pop(), plain.pop(), plain.pop()]).toEqual([
      1,
      2,
      3,
      4,
      undefined,
    ]);
  });
});
