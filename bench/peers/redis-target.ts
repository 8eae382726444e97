/**
 * Redis for BullMQ: whether it answers, and a key prefix of its own per workload, deleted afterwards
 * (the bench never flushes a database: other keys on the server are left alone).
 */
import { randomBytes } from 'node:crypto';

import { redisOptions } from './bullmq.js';
import { importPeer } from './load.js';
import type { RedisConstructor } from './peer-api.js';
import type { PeerTarget } from './peer.js';

async function connect(url: string): Promise<InstanceType<RedisConstructor>> {
  const Redis = await importPeer<RedisConstructor>('ioredis');
  const { host, port, db } = redisOptions(url);
  const client = new Redis({
    host,
    port,
    db,
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  await client.connect();
  return client;
}

/** null when Redis answers PING at `url`, else why not. */
export async function redisProblem(url: string): Promise<string | null> {
  try {
    const client = await connect(url);
    try {
      await client.ping();
      return null;
    } finally {
      client.disconnect();
    }
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A fresh prefix on the Redis of `url`. */
export function redisTarget(url: string, label: string): PeerTarget & { backend: 'redis' } {
  return { backend: 'redis', url, prefix: `nds-bench-${label}-${randomBytes(4).toString('hex')}` };
}

/** Deletes every key under the target's prefix; returns how many. */
export async function dropRedisTarget(target: PeerTarget & { backend: 'redis' }): Promise<number> {
  const client = await connect(target.url);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${target.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}
