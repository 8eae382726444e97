/**
 * nestjs-durable-scheduler: the engine, the memory store, the built-in jobs and the Nest module.
 * `nestjs-durable-scheduler/core` is the same without the Nest module (it imports no Nest package).
 * The PostgreSQL and Firestore stores are the subpath exports `nestjs-durable-scheduler/postgres`
 * and `nestjs-durable-scheduler/firestore`, and the Prometheus metrics are
 * `nestjs-durable-scheduler/prometheus`, so that their drivers (and prom-client) stay optional.
 */
export * from './core.js';
export * from './nest/index.js';
export * from './testing/index.js';
