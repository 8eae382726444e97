/**
 * `npm run emulator`: a Firestore emulator for the sample app, until Ctrl-C (or SIGTERM). It is the
 * in-memory emulator the test suite runs (test/support/strict-emulator, a devDependency: no Java, no
 * download), on 127.0.0.1 and a free port; it prints the command that starts the app on it. Its data
 * is gone when it stops.
 */
import { startFirestoreEmulator } from '../test/support/strict-emulator/launch.mjs';

const emulator = await startFirestoreEmulator();
process.stdout.write(
  [
    `Firestore emulator (in memory) listening on ${emulator.host}. In another terminal:`,
    '',
    `  FIRESTORE_EMULATOR_HOST=${emulator.host} SCHEDULER_STORE=firestore npm start`,
    '',
    'Ctrl-C stops it (and forgets every task).',
    '',
  ].join('\n'),
);

const stop = async () => {
  await emulator.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
