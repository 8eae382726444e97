/** How a {@link MinHeap} orders its items and tells their owner where they sit. */
export interface MinHeapOptions<T> {
  /** Negative when `a` comes out first, positive when `b` does, 0 for a tie. */
  compare(a: T, b: T): number;
  /**
   * Called with an item's new position whenever it moves, and with `-1` when it leaves the heap.
   * Keeping that position on the item is what makes {@link MinHeap.removeAt} and
   * {@link MinHeap.updateAt} O(log n) instead of a linear search.
   */
  onMove?(item: T, index: number): void;
}

/**
 * A binary min-heap in an array. `push`, `pop`, `removeAt` and `updateAt` are O(log n) and
 * `peek` is O(1), which keeps a store's claim path cheap however many items wait behind the top.
 */
export class MinHeap<T> {
  private readonly items: T[] = [];
  private readonly compare: (a: T, b: T) => number;
  private readonly onMove: (item: T, index: number) => void;

  constructor(options: MinHeapOptions<T>) {
    this.compare = options.compare;
    this.onMove = options.onMove ?? (() => undefined);
  }

  /** How many items the heap holds. */
  get size(): number {
    return this.items.length;
  }

  /** The first item, left in place; `undefined` when empty. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** The item at a position reported through `onMove`. */
  at(index: number): T | undefined {
    return this.items[index];
  }

  /** Adds an item. */
  push(item: T): void {
    this.items.push(item);
    this.siftUp(this.items.length - 1);
  }

  /**
   * Adds many items: pushed one by one when few, else appended and the heap rebuilt bottom-up,
   * O(n + k) instead of O(k log(n + k)).
   */
  pushAll(items: readonly T[]): void {
    if (items.length < 32 || items.length * 4 < this.items.length) {
      for (const item of items) this.push(item);
      return;
    }
    for (const item of items) {
      this.onMove(item, this.items.length);
      this.items.push(item);
    }
    for (let index = (this.items.length >> 1) - 1; index >= 0; index--) this.siftDown(index);
  }

  /** Removes and returns the first item; `undefined` when empty. */
  pop(): T | undefined {
    return this.items.length === 0 ? undefined : this.removeAt(0);
  }

  /** Removes the item at `index` (as reported through `onMove`) and returns it. */
  removeAt(index: number): T {
    const last = this.items.length - 1;
    if (index < 0 || index > last) throw new RangeError(`MinHeap index ${index} is out of range`);
    const removed = this.items[index];
    const moved = this.items.pop() as T;
    if (index !== last) {
      this.items[index] = moved;
      this.onMove(moved, index);
      this.restore(index);
    }
    this.onMove(removed, -1);
    return removed;
  }

  /** Restores the order after the key of the item at `index` changed in either direction. */
  updateAt(index: number): void {
    if (index < 0 || index >= this.items.length)
      throw new RangeError(`MinHeap index ${index} is out of range`);
    this.restore(index);
  }

  /** Empties the heap (every item is told it left). */
  clear(): void {
    for (const item of this.items) this.onMove(item, -1);
    this.items.length = 0;
  }

  /** The items in heap order (not sorted); for tests and diagnostics. */
  toArray(): T[] {
    return [...this.items];
  }

  private restore(index: number): void {
    if (index > 0 && this.compare(this.items[index], this.items[(index - 1) >> 1]) < 0) this.siftUp(index);
    else this.siftDown(index);
  }

  private siftUp(start: number): void {
    const { items } = this;
    const item = items[start];
    let index = start;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex];
      if (this.compare(item, parent) >= 0) break;
      items[index] = parent;
      this.onMove(parent, index);
      index = parentIndex;
    }
    items[index] = item;
    this.onMove(item, index);
  }

  private siftDown(start: number): void {
    const { items } = this;
    const length = items.length;
    const item = items[start];
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && this.compare(items[right], items[left]) < 0 ? right : left;
      if (this.compare(items[child], item) >= 0) break;
      items[index] = items[child];
      this.onMove(items[index], index);
      index = child;
    }
    items[index] = item;
    this.onMove(item, index);
  }
}
