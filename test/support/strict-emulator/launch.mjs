/**
 * Starts the test Firestore emulator (server.mjs) as a child process and waits until it listens.
 * Plain JavaScript so that both the Jest global setup (which Jest does not compile) and the
 * TypeScript tests (through launch.d.mts) use it.
 */
import { spawn } from 'node:child_process';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath, URL } from 'node:url';

const SERVER_ENTRY = fileURLToPath(new URL('./server.mjs', import.meta.url));
const START_TIMEOUT_MS = 30_000;

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts a Firestore emulator (@firestore-emulator/server 0.3.15) bound to 127.0.0.1 on a free
 * port: strict by default, or as shipped with `{ raw: true }`. The child exits by itself when
 * this process dies (it watches its stdin). Set FIRESTORE_EMULATOR_DEBUG=1 to see its stderr.
 *
 * @param {{ raw?: boolean }} [options]
 * @returns {Promise<{ host: string, mode: 'strict' | 'raw', stop(): Promise<void> }>}
 */
export async function startFirestoreEmulator(options = {}) {
  const child = spawn(process.execPath, [SERVER_ENTRY, ...(options.raw ? ['--raw'] : [])], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-20_000);
    if (process.env.FIRESTORE_EMULATOR_DEBUG) process.stderr.write(chunk);
  });

  const ready = await new Promise((resolve, reject) => {
    let out = '';
    const fail = (err) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${stderr}`));
    };
    const timer = setTimeout(
      () => fail(new Error('the Firestore emulator did not start in time')),
      START_TIMEOUT_MS,
    );
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`the Firestore emulator exited with code ${code}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve(JSON.parse(out.slice(0, newline)));
    });
  });

  return { host: `127.0.0.1:${ready.port}`, mode: ready.mode, stop: () => stopChild(child) };
}
