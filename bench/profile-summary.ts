/**
 * Summarises a V8 `.cpuprofile` (from `--worker-cpu-prof DIR`): self time per function and per
 * source file, so that a bench run shows where a worker's CPU goes; or a `.heapprofile` (from
 * `--worker-heap-prof`): bytes allocated per function, collected garbage included.
 *
 *   node build/bench/profile-summary.js DIR/worker-<pid>.cpuprofile [top=25]
 *   node build/bench/profile-summary.js DIR/worker-<pid>.heapprofile [top=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function summarise(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    const where = frame.url.replace(/^file:\/\/.*?\/(node_modules|build)\//, '$1/');
    const name = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const fileKey = where || frame.functionName;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
    total += us;
  }
  const idle = [...byFunction].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
  console.log(
    `${file}: ${(total / 1000).toFixed(0)} ms sampled, ${((total - idle) / 1000).toFixed(0)} ms busy`,
  );
  const print = (title: string, map: Map<string, number>): void => {
    console.log(`  ${title}`);
    for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(
        `    ${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / (total - idle)).toFixed(1).padStart(5)}%  ${name}`,
      );
    }
  };
  print('self time by function', byFunction);
  print('self time by file', byFile);
}

interface HeapNode {
  callFrame: ProfileNode['callFrame'];
  selfSize: number;
  children: HeapNode[];
}

function summariseHeap(file: string, top: number): void {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const byFunction = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapNode): void => {
    const frame = node.callFrame;
    const where = frame.url.replace(/^file:\/\/.*?\/(node_modules|build)\//, '$1/');
    const name = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
    total += node.selfSize;
    for (const child of node.children) walk(child);
  };
  walk(head);
  console.log(`${file}: ${(total / 1e6).toFixed(1)} MB allocated (sampled)`);
  for (const [name, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${(bytes / 1e6).toFixed(2).padStart(8)} MB  ${name}`);
  }
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node build/bench/profile-summary.js FILE.cpuprofile|FILE.heapprofile [top]');
  process.exitCode = 1;
} else if (file.endsWith('.heapprofile')) {
  summariseHeap(file, Number(topArg ?? 25));
} else {
  summarise(file, Number(topArg ?? 25));
}
