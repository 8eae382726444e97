/**
 * Collects a stream's bytes up to a limit, keeping either its first bytes (`'head'`: a command's
 * output, read from the top) or its last ones (`'tail'`: an error log, whose end says what went
 * wrong). What a job keeps ends up in the store as the task's `result`, so it must stay small
 * whatever the command or server sends.
 */
export class OutputCapture {
  private chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(
    private readonly limit: number,
    private readonly mode: 'head' | 'tail',
  ) {}

  /** Bytes seen but not kept. */
  get droppedBytes(): number {
    return this.dropped;
  }

  /** `true` once a head capture holds all it may: the rest of the stream can be discarded unread. */
  get full(): boolean {
    return this.mode === 'head' && this.kept >= this.limit;
  }

  /** Adds a chunk, dropping what exceeds the limit. */
  push(chunk: Uint8Array): void {
    const bytes = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.mode === 'head') {
      const take = Math.min(this.limit - this.kept, bytes.length);
      if (take > 0) {
        this.chunks.push(take < bytes.length ? bytes.subarray(0, take) : bytes);
        this.kept += take;
      }
      this.dropped += bytes.length - Math.max(take, 0);
      return;
    }
    this.chunks.push(bytes);
    this.kept += bytes.length;
    // Trim only once twice the limit is held, so that a chatty stream costs one copy per `limit` bytes.
    if (this.kept >= 2 * this.limit) this.trimTail();
  }

  /** What was kept, decoded as utf8 (a multi-byte character cut at the limit shows as U+FFFD). */
  text(): string {
    if (this.mode === 'tail') this.trimTail();
    return Buffer.concat(this.chunks).toString('utf8');
  }

  private trimTail(): void {
    if (this.kept <= this.limit) return;
    const all = Buffer.concat(this.chunks);
    const cut = all.length - this.limit;
    this.chunks = [all.subarray(cut)];
    this.dropped += cut;
    this.kept = this.limit;
  }
}
