#!/usr/bin/env node
/**
 * The `nestjs-durable-scheduler` command (`npx nestjs-durable-scheduler <command>`): see docs/cli.md.
 */
import { errorMessage } from '../core/error-text.js';
import { processIo } from './cli-io.js';
import { runCli } from './program.js';

// A driver may reject a promise nobody awaits besides the one the command awaits (the Firestore
// client does, once per retry, when it finds no credentials): the command reports the failure
// itself, so such a rejection is shown only when it says something the command's error does not.
const stray = new Set<string>();
process.on('unhandledRejection', (reason) => void stray.add(errorMessage(reason)));

const io = processIo();
let lastError = '';
void runCli(process.argv.slice(2), {
  ...io,
  err: (text) => {
    lastError = text;
    io.err(text);
  },
}).then((code) => {
  for (const message of stray) if (!lastError.includes(message)) io.err(`warning: ${message}\n`);
  process.exitCode = code;
});
