/**
 * The fault proxy of test/support/tcp-proxy.ts, against the real PostgreSQL: a `pg` client through
 * it sees a reset as a connection error, and a stall as a query that hangs until `resume()`.
 */
import pg from 'pg';

import { postgresServerUrl } from '../support/postgres.js';
import { postgresTarget, TcpProxy, throughProxy } from '../support/tcp-proxy.js';

/** Settles `promise` into a state the test can look at without awaiting it. */
function observe<T>(promise: Promise<T>): {
  state: () => 'pending' | 'resolved' | 'rejected';
  done: Promise<void>;
} {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  const done = promise.then(
    () => void (state = 'resolved'),
    () => void (state = 'rejected'),
  );
  return { state: () => state, done };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('TcpProxy in front of PostgreSQL', () => {
  let proxy: TcpProxy;
  let url: string;
  const clients: pg.Client[] = [];

  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    return client;
  };

  beforeEach(async () => {
    proxy = new TcpProxy(postgresTarget(postgresServerUrl()));
    url = throughProxy(postgresServerUrl(), await proxy.start());
  });

  afterEach(async () => {
    proxy.resume();
    await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)));
    await proxy.close();
  });

  it('forwards queries both ways', async () => {
    const client = await connect();
    const { rows } = await client.query<{ n: number }>('SELECT 41 + 1 AS n');
    expect(rows).toEqual([{ n: 42 }]);
    expect(proxy.connections).toBe(1);
  });

  it('reset(): an open connection fails with a connection error, a new one works', async () => {
    const client = await connect();
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    const slow = observe(client.query('SELECT pg_sleep(5)'));
    await pause(100);
    proxy.reset();
    await slow.done;
    expect(slow.state()).toBe('rejected');
    await expect(client.query('SELECT 1')).rejects.toThrow();
    expect(proxy.connections).toBe(0);

    const again = await connect();
    await expect(again.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('stall(): a query hangs, the connection stays open, and resume() lets it finish', async () => {
    const client = await connect();
    proxy.stall();
    const query = observe(client.query<{ n: number }>('SELECT 7 AS n'));
    await pause(500);
    expect(query.state()).toBe('pending');
    expect(proxy.connections).toBe(1);
    proxy.resume();
    await query.done;
    expect(query.state()).toBe('resolved');
    await expect(client.query('SELECT 8 AS n')).resolves.toMatchObject({ rows: [{ n: 8 }] });
  });

  it('stall(): a connection opened while stalled hangs too, until resume()', async () => {
    proxy.stall();
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    clients.push(client);
    const connecting = observe(client.connect());
    await pause(500);
    expect(connecting.state()).toBe('pending');
    proxy.resume();
    await connecting.done;
    expect(connecting.state()).toBe('resolved');
    await expect(client.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('close(): returns with connections open, stalled or half-closed, and they fail', async () => {
    const open = await connect();
    proxy.stall();
    const stalled = new pg.Client({ connectionString: url });
    stalled.on('error', () => undefined);
    clients.push(stalled);
    const connecting = observe(stalled.connect());
    await pause(100);
    await proxy.close();
    await connecting.done;
    expect(connecting.state()).toBe('rejected');
    await expect(open.query('SELECT 1')).rejects.toThrow();
  });

  it('refuse(): new connections fail until accept()', async () => {
    proxy.refuse();
    const refused = new pg.Client({ connectionString: url });
    refused.on('error', () => undefined);
    await expect(refused.connect()).rejects.toThrow();
    proxy.accept();
    const client = await connect();
    await expect(client.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });
});
