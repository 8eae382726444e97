import type { SchedulerLogger } from '../../core/logger.js';

/** The part of a `pg` pool client the listener uses. */
export interface ListenClient {
  query(text: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  /** `release(true)` closes the connection instead of returning it to the pool. */
  release(destroy?: boolean | Error): void;
}

/** How the listener connects and whom it tells. */
export interface NotificationListenerOptions {
  /** A dedicated connection (a pool client held until the listener stops or the connection drops). */
  connect(): Promise<ListenClient>;
  /** The channel (unquoted) and the `LISTEN "channel"` statement. */
  channel: string;
  listenSql: string;
  /** Called with each notification's payload. */
  onNotification(payload: string): void;
  /**
   * Called each time LISTEN is in place (first time and after every reconnection): notifications
   * sent while nobody listened are lost, so whoever relies on them should look again now.
   */
  onListening(): void;
  logger: SchedulerLogger;
  /** First reconnection delay in ms; doubles per failed attempt. Default 100. */
  initialBackoffMs?: number;
  /** Upper bound of the reconnection delay in ms. Default 10000. */
  maxBackoffMs?: number;
}

/**
 * Holds one connection that LISTENs on the store's channel, and gets it back after it drops
 * (server restart, `pg_terminate_backend`, network loss) with exponential backoff, capped and
 * jittered so that a fleet does not reconnect in step. While it is down, the scheduler's heartbeat
 * polling is the safety net.
 */
export class NotificationListener {
  private client: ListenClient | null = null;
  private running = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private connecting: Promise<void> | null = null;
  private lostOnce = false;

  constructor(private readonly options: NotificationListenerOptions) {}

  /** Whether LISTEN is in place right now. */
  get listening(): boolean {
    return this.client !== null;
  }

  /**
   * Starts listening; idempotent. Resolves once the first attempt is over (LISTEN in place, or the
   * failure logged and a retry scheduled): connection errors are retried in the background, never thrown.
   */
  start(): Promise<void> {
    if (!this.running) {
      this.running = true;
      this.connecting = this.connect();
    }
    return this.connecting ?? Promise.resolve();
  }

  /** Stops listening and closes the connection. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.connecting;
    const client = this.client;
    this.client = null;
    // Closing (rather than returning it to the pool) drops the LISTEN with the connection, so no
    // pooled connection goes on receiving notifications.
    client?.release(true);
  }

  private async connect(): Promise<void> {
    this.timer = null;
    if (!this.running) return;
    let client: ListenClient | null = null;
    try {
      client = await this.options.connect();
      const current = client;
      current.on('error', (error) => this.lost(current, error));
      current.on('end', () => this.lost(current, new Error('connection ended')));
      current.on('notification', (message) => {
        if (message.channel === this.options.channel) this.options.onNotification(message.payload ?? '');
      });
      await current.query(this.options.listenSql);
      if (!this.running) {
        current.release(true);
        return;
      }
      this.client = current;
      this.attempt = 0;
      if (this.lostOnce) this.options.logger.log(`LISTEN ${this.options.channel}: connection re-established`);
    } catch (error) {
      client?.release(true);
      this.retry(error);
      return;
    }
    this.options.onListening();
  }

  private lost(client: ListenClient, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    client.release(true);
    this.retry(error);
  }

  private retry(error: unknown): void {
    if (!this.running) return;
    this.lostOnce = true;
    const initial = this.options.initialBackoffMs ?? 100;
    const max = this.options.maxBackoffMs ?? 10_000;
    const base = Math.min(max, initial * 2 ** Math.min(this.attempt, 30));
    const delay = Math.round(base / 2 + (Math.random() * base) / 2);
    this.attempt += 1;
    const reason = error instanceof Error ? error.message : String(error);
    this.options.logger.warn(`LISTEN ${this.options.channel}: ${reason}; reconnecting in ${delay} ms`);
    this.timer = setTimeout(() => {
      this.connecting = this.connect();
    }, delay);
    this.timer.unref();
  }
}
