/**
 * The README's "Without Nest" example, run as a reader runs it: its TypeScript compiled to an ES
 * module that imports the built package (dist/, which the global setup builds) by name, in a child
 * process, in real time. It must show what its jobs do (the shell command's output, the greeting)
 * and end with exit code 0 on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '..', '..');

/** The first TypeScript block under the README's "## Without Nest" heading. */
function withoutNestExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Without Nest\n'));
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(section);
  if (!section.startsWith('\n## Without Nest') || !block)
    throw new Error('README.md has no "Without Nest" example');
  return block[1]!;
}

describe("README's Without Nest example", () => {
  it("prints the shell job's output and the greeting, and exits 0 on SIGTERM", async () => {
    const dir = join(root, '.tmp', 'readme-without-nest');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'without-nest', private: true, type: 'module' }),
    );
    symlinkSync(root, join(dir, 'node_modules', 'nestjs-durable-scheduler'), 'dir');
    const { outputText } = ts.transpileModule(withoutNestExample(), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(dir, 'main.js'), outputText);

    const child = spawn(process.execPath, ['main.js'], { cwd: dir });
    let output = '';
    let seen: () => void = () => undefined;
    const printed = new Promise<void>((resolve) => (seen = resolve));
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes('{"hello":"world"}') && output.includes('Hello, World!')) seen();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    // Wait for both lines (at most 20 s, so that an example that never prints still ends here).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      printed,
      exited,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 20_000))),
    ]);
    clearTimeout(timer);

    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output).toContain('[shell:hello-world] stdout: Hello, World!');
    expect(output).toContain('[print:greeting] {"hello":"world"}');
    expect(output).toMatch(/Scheduler \S+ stopped/);
  });
});
