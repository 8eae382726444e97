/**
 * `npm run chaos`: the fault suite for longer, with a random seed (unless given), printed first and
 * last so that a failure can be replayed.
 *
 *   npm run chaos                                  every store, random seed, the chaos number of runs
 *   npm run chaos -- --store memory --runs 20000   one store, more runs
 *   npm run chaos -- --store postgres --seed 123 --path '4:1:0' --runs 1   replay a counterexample
 *   npm run chaos -- --store memory --sequence '[{"op":"wait","ms":1000}]'   run exactly this sequence
 *   npm run chaos -- --debug                       print every operation as it is played
 *
 * Every flag has an environment variable (FAULT_SEED, FAULT_RUNS, FAULT_PATH,
 * FAULT_SEQUENCE, FAULT_DEBUG); a flag wins. Stores: memory, postgres, postgres-restart, firestore.
 * Jest's global setup starts the servers as under `npm test` (set PG_URL to use a running PostgreSQL).
 */
import { spawn } from 'node:child_process';
import process from 'node:process';

const SPECS = {
  memory: 'test/fault/memory-model.spec.ts',
  postgres: 'test/fault/postgres-faults.spec.ts',
  'postgres-restart': 'test/fault/postgres-restart.spec.ts',
  firestore: 'test/fault/firestore-faults.spec.ts',
};

function parse(argv) {
  const options = { stores: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--store') options.stores.push(...value().split(','));
    else if (flag === '--seed') options.seed = value();
    else if (flag === '--runs') options.runs = value();
    else if (flag === '--path') options.path = value();
    else if (flag === '--sequence') options.sequence = value();
    else if (flag === '--debug') options.debug = true;
    else throw new Error(`unknown flag ${flag} (see test/fault/chaos.mjs)`);
  }
  return options;
}

let options;
try {
  options = parse(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`chaos: ${error.message}\n`);
  process.exit(2);
}
const stores = options.stores.length > 0 ? options.stores : Object.keys(SPECS);
const unknown = stores.filter((store) => !SPECS[store]);
if (unknown.length > 0) {
  process.stderr.write(
    `chaos: unknown store(s) ${unknown.join(', ')}; known: ${Object.keys(SPECS).join(', ')}\n`,
  );
  process.exit(2);
}
const seed = options.seed ?? process.env.FAULT_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
const env = {
  ...process.env,
  FAULT_CHAOS: '1',
  FAULT_SEED: seed,
  ...(options.runs ? { FAULT_RUNS: options.runs } : {}),
  ...(options.path ? { FAULT_PATH: options.path } : {}),
  ...(options.sequence ? { FAULT_SEQUENCE: options.sequence } : {}),
  ...(options.debug ? { FAULT_DEBUG: '1' } : {}),
};
process.stdout.write(
  `chaos: seed ${seed}, stores ${stores.join(', ')}${options.runs ? `, ${options.runs} runs each` : ''}\n`,
);

const jest = spawn(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    'node_modules/jest/bin/jest.js',
    '--runInBand',
    ...stores.map((store) => SPECS[store]),
  ],
  { stdio: 'inherit', env },
);
jest.on('exit', (code, signal) => {
  const failed = code !== 0;
  process.stdout.write(
    `\nchaos: seed ${seed} ${failed ? 'FAILED (the report above has the sequence and its replay command)' : 'passed'}; ` +
      `rerun this seed with: npm run chaos -- --seed ${seed} ${stores.map((store) => `--store ${store}`).join(' ')}\n`,
  );
  process.exit(code ?? (signal ? 1 : 0));
});
