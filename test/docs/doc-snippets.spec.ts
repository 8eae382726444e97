/**
 * Every TypeScript snippet in README.md and docs/ is compiled here, against the built package as a
 * user imports it (`nestjs-durable-scheduler`, resolved through the package's own `exports` to
 * dist/, which the global setup builds). A snippet fenced as ```ts no-check is shown but skipped:
 * use it only for fragments that cannot stand alone, and say why next to it.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '..', '..');
const outDir = join(root, '.tmp', 'doc-snippets');

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

describe('documentation snippets', () => {
  const all = markdownFiles().flatMap(snippets);

  it('finds snippets to check', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  it('all compile against the built package', () => {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    const names = all.map((snippet, index) => {
      const name = join(outDir, `snippet-${String(index).padStart(3, '0')}.ts`);
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
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && names.includes(d.file.fileName))
      .map((d) => {
        const index = names.indexOf(d.file!.fileName);
        const snippet = all[index]!;
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
        return `${relative(root, snippet.file)}:${snippet.line + line + 1}: ${text}`;
      });
    expect(problems).toEqual([]);
  });
});
