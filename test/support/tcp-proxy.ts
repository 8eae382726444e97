/**
 * A TCP proxy for fault tests: it forwards a local port to a target (PostgreSQL, the Firestore
 * emulator) and, on command, breaks the connections through it the ways a network does:
 *
 * - `reset()`: every open connection is destroyed with a TCP RST on both sides (a load balancer
 *   or a firewall dropping state, a server crash seen from the client);
 * - `stall()` / `resume()`: bytes stop flowing in both directions, connections stay open (a
 *   partition without RST: the peer's kernel keeps the socket, the client's query just hangs);
 *   connections opened while stalled are accepted and stall too;
 * - `refuse()` / `accept()`: new connections are reset at once (the target is down).
 *
 * It is real networking (node:net), not a mock: the client and the server each see a real socket.
 */
import net from 'node:net';

/** A client-side socket and its upstream twin. */
interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

/** Where the proxy listens once started. */
export interface ProxyAddress {
  host: string;
  port: number;
}

export class TcpProxy {
  private server: net.Server | null = null;
  private readonly pairs = new Set<Pair>();
  /** Every socket still open, paired or not, so that `close()` can end them all. */
  private readonly sockets = new Set<net.Socket>();
  private stalled = false;
  private refusing = false;
  private address: ProxyAddress | null = null;

  /** Connections accepted since start (for tests that want to see the client reconnect). */
  accepted = 0;

  constructor(
    private readonly target: { host: string; port: number },
    private readonly listenHost = '127.0.0.1',
  ) {}

  /** Listens on a free port of `listenHost`; resolves with that address. */
  async start(): Promise<ProxyAddress> {
    if (this.address) return this.address;
    const server = net.createServer((client) => this.onConnection(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.listenHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address() as net.AddressInfo;
    this.address = { host: this.listenHost, port: bound.port };
    return this.address;
  }

  /** `host:port`, as FIRESTORE_EMULATOR_HOST wants it. */
  get hostPort(): string {
    const address = this.mustBeStarted();
    return `${address.host}:${address.port}`;
  }

  /** The listening port. */
  get port(): number {
    return this.mustBeStarted().port;
  }

  /** Open connections through the proxy. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Whether the proxy is stalled. */
  get isStalled(): boolean {
    return this.stalled;
  }

  /** Destroys every open connection with an RST on both sides. New connections are forwarded. */
  reset(): void {
    for (const pair of [...this.pairs]) this.drop(pair);
  }

  /** Stops forwarding in both directions without closing anything, until `resume()`. */
  stall(): void {
    if (this.stalled) return;
    this.stalled = true;
    for (const pair of this.pairs) this.hold(pair);
  }

  /** Forwards again whatever was held back, and everything after. */
  resume(): void {
    if (!this.stalled) return;
    this.stalled = false;
    for (const pair of this.pairs) this.forward(pair);
  }

  /** Resets new connections at once (and, with `alsoOpen`, the open ones) until `accept()`. */
  refuse(alsoOpen = true): void {
    this.refusing = true;
    if (alsoOpen) this.reset();
  }

  /** Accepts new connections again after `refuse()`. */
  accept(): void {
    this.refusing = false;
  }

  /** Stops listening and resets every connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.address = null;
    this.reset();
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onConnection(client: net.Socket): void {
    this.accepted += 1;
    this.track(client);
    if (this.refusing) {
      client.resetAndDestroy();
      return;
    }
    client.pause();
    const upstream = net.connect(this.target.port, this.target.host);
    this.track(upstream);
    upstream.pause();
    const pair: Pair = { client, upstream };
    this.pairs.add(pair);
    // A graceful close of one side is passed on as a graceful close (after what was written to
    // the other side is flushed): only `reset()` sends RSTs.
    const closed = (other: net.Socket) => (): void => {
      this.pairs.delete(pair);
      if (other.destroyed) return;
      other.end();
      // A paused socket would never read its peer's end and so never close: let it read, and bound it.
      other.resume();
      setTimeout(() => other.destroy(), 2_000).unref();
    };
    client.once('close', closed(upstream));
    upstream.once('close', closed(client));
    upstream.once('connect', () => {
      if (!this.stalled) this.forward(pair);
    });
  }

  private track(socket: net.Socket): void {
    socket.on('error', () => undefined);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private forward(pair: Pair): void {
    if (pair.upstream.connecting) return; // the 'connect' handler starts it
    pair.client.pipe(pair.upstream, { end: false });
    pair.upstream.pipe(pair.client, { end: false });
    pair.client.resume();
    pair.upstream.resume();
  }

  private hold(pair: Pair): void {
    pair.client.unpipe(pair.upstream);
    pair.upstream.unpipe(pair.client);
    pair.client.pause();
    pair.upstream.pause();
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    for (const socket of [pair.client, pair.upstream]) {
      if (socket.destroyed) continue;
      // resetAndDestroy needs a connected TCP handle; a socket still connecting is just destroyed.
      if (socket.connecting || socket.readyState === 'closed') socket.destroy();
      else socket.resetAndDestroy();
    }
  }

  private mustBeStarted(): ProxyAddress {
    if (!this.address) throw new Error('TcpProxy: call start() first');
    return this.address;
  }
}

/** The host and port of a `postgres://` connection string. */
export function postgresTarget(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 5432) };
}

/** The same connection string, pointed at `address` (the proxy). */
export function throughProxy(url: string, address: ProxyAddress): string {
  const parsed = new URL(url);
  parsed.hostname = address.host;
  parsed.port = String(address.port);
  return parsed.toString();
}
