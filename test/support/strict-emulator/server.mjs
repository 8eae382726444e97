/**
 * Starts a Firestore emulator for the tests, as a plain Node child process:
 *
 *   node test/support/strict-emulator/server.mjs [--raw]
 *
 * It listens on 127.0.0.1 on a free port and prints one JSON line, `{"port":N,"mode":"strict"}`,
 * when ready. `--raw` serves the pinned @firestore-emulator/server 0.3.15 exactly as shipped (the
 * harness test uses it to show why the strict mode exists). The process exits when its stdin
 * closes, so that it never outlives the test run that started it, or on SIGTERM / SIGINT.
 */
import { createRequire } from 'node:module';
import process from 'node:process';

import { createStrictService } from './strict-service.mjs';

const require = createRequire(import.meta.url);
const emulatorEntry = require.resolve('@firestore-emulator/server');
const { FirestoreServer } = require('@firestore-emulator/server');
// The emulator's internal service class (pinned version): only its Listen is reused.
const { FirestoreServiceV1Impl } = require('@firestore-emulator/server/dist/server/FirestoreServiceV1Impl');
// The grpc-js the emulator itself depends on.
const grpc = createRequire(emulatorEntry)('@grpc/grpc-js');

const raw = process.argv.includes('--raw');
const emulator = new FirestoreServer();

/** The emulator's own gRPC server (raw), or a new one serving the strict service over its state. */
function buildServer() {
  if (raw) return emulator.server;
  const server = new grpc.Server();
  const base = new FirestoreServiceV1Impl(emulator.state);
  server.addService(FirestoreServiceV1Impl.definition, createStrictService(emulator.state, base));
  return server;
}

const server = buildServer();

function shutdown() {
  server.forceShutdown();
  process.exit(0);
}

server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`firestore emulator: cannot bind: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ port, mode: raw ? 'raw' : 'strict' })}\n`);
});

process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
