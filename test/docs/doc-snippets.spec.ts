/**
 * Every TypeScript snippet in README.md and docs/ is compiled here, against the built package as a
 * user imports it (`nestjs-durable-scheduler`, resolved to dist/, which the global setup builds), in
 * an ES module project (NodeNext) and in a CommonJS one (the classic Nest template): a snippet must
 * work in both, so none uses top-level `await`. A snippet fenced as ```ts no-check is shown but skipped:
 * use it only for fragments that cannot stand alone, and say why next to it.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '..', '..');

interface Snippet {
  file: string;
  line: number;
  code: string;
}

function markdownFiles(): string[] {
  const docs = join(root, 'docs');
  const files = [join(root, 'README.md'), join(root, 'bench', 'README.md')];
  for (const name of readdirSync(docs)) if (name.endsWith('.md')) files.push(join(docs, name));
  return files.filter((file) => {
    try {
      readFileSync(file);
      return true;
    } catch {
      return false;
    }
  });
}

function snippets(file: string): Snippet[] {
  const found: Snippet[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)(\s+.*)?$/.exec(lines[i]!.trim());
    if (!open) continue;
    const skip = (open[2] ?? '').includes('no-check');
    const start = i + 1;
    const body: string[] = [];
    for (i = start; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!);
    if (!skip) found.push({ file, line: start, code: body.join('\n') });
  }
  return found;
}

/**
 * Compiles every snippet as a file of a project of the given module type, which imports the package
 * from its node_modules (a link to this repository, so node10 resolution reads `typesVersions`).
 * Returns the problems, one line each.
 */
function compile(
  all: Snippet[],
  folder: string,
  type: 'module' | 'commonjs',
  options: ts.CompilerOptions,
): string[] {
  const dir = join(root, '.tmp', folder);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: folder, private: true, type }));
  symlinkSync(root, join(dir, 'node_modules', 'nestjs-durable-scheduler'), 'dir');
  const names = all.map((snippet, index) => {
    const name = join(dir, `snippet-${String(index).padStart(3, '0')}.ts`);
    // `export {}` makes each snippet a module of its own, as a file in a user's project is.
    writeFileSync(name, `${snippet.code}\nexport {};\n`);
    return name;
  });
  const program = ts.createProgram(names, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node', 'jest'],
    ...options,
  });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && names.includes(d.file.fileName))
    .map((d) => {
      const index = names.indexOf(d.file!.fileName);
      const snippet = all[index]!;
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      return `${relative(root, snippet.file)}:${snippet.line + line + 1}: ${text}`;
    });
}

describe('documentation snippets', () => {
  const all = markdownFiles().flatMap(snippets);

  it('finds snippets to check', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  it('all compile against the built package, in an ES module project', () => {
    expect(compile(all, 'doc-snippets', 'module', {})).toEqual([]);
  });

  it('all compile in a CommonJS project (module commonjs, moduleResolution node10)', () => {
    const options = { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 };
    expect(compile(all, 'doc-snippets-cjs', 'commonjs', options)).toEqual([]);
  });
});
