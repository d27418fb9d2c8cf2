/**
 * The house's layering, checked from the imports: pages (app/) never reach into server/, the
 * browser-safe modules (lib/) import nothing but each other and zod, and server parts below the
 * realtime layer (identity, http, db) do not import it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mts|mjs)$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** Every module specifier a file imports or re-exports, static or dynamic, type-only included. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(pattern)) found.push(m[1]!);
  return found;
}

/** Where a specifier points: a project path (relative to the root) or a package name. */
function resolve(file: string, spec: string): { project: string } | { pkg: string } {
  if (spec.startsWith('.')) return { project: path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec)) };
  if (spec.startsWith('@/')) return { project: spec.slice(2) };
  return { pkg: spec };
}

/** The imports of `files` that break `allowed`, as "file -> specifier" lines. */
function violations(
  files: string[],
  allowed: (target: { project: string } | { pkg: string }) => boolean,
  read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8'),
): string[] {
  return files.flatMap((file) =>
    importsOf(read(file))
      .filter((spec) => !allowed(resolve(file, spec)))
      .map((spec) => `${file} -> ${spec}`),
  );
}

const inside = (dir: string) => (t: { project: string } | { pkg: string }) =>
  'project' in t && (t.project === dir || t.project.startsWith(`${dir}/`));

describe('layering', () => {
  it('finds static, dynamic, type-only and re-exported imports', () => {
    const source = `import a from './a';\nimport type { B } from "../b";\nexport * from './c';\nconst d = await import('node:fs');\nimport './side-effect';`;
    expect(importsOf(source)).toEqual(['./a', '../b', './c', 'node:fs', './side-effect']);
    // A page that reaches into server/ is caught:
    const read = () => `import { x } from '../../server/realtime/protocol';`;
    expect(violations(['app/draw/page.tsx'], (t) => !inside('server')(t), read)).toEqual([
      'app/draw/page.tsx -> ../../server/realtime/protocol',
    ]);
  });

  it('app/ never imports server/ (browser code uses lib/)', () => {
    expect(violations(sourceFiles('app'), (t) => !inside('server')(t))).toEqual([]);
  });

  it('lib/ imports only lib/ and zod (no Node built-ins, no server code, no other packages)', () => {
    expect(violations(sourceFiles('lib'), (t) => inside('lib')(t) || ('pkg' in t && t.pkg === 'zod'))).toEqual([]);
  });

  it('identity, http and db never import the realtime layer above them', () => {
    const lower = [
      ...sourceFiles('server/identity'),
      ...sourceFiles('server/http'),
      ...sourceFiles('server/db'),
    ].filter((f) => !f.startsWith('server/db/generated'));
    expect(violations(lower, (t) => !inside('server/realtime')(t))).toEqual([]);
  });
});

describe('the ML layers import downwards only', () => {
  // Lowest first: a folder may import its own layer and the layers before it, never one after.
  const LAYERS: string[][] = [
    ['server/ml/backend', 'server/ml/data', 'server/ml/image', 'server/ml/linalg.ts', 'server/ml/frechet.ts'],
    ['server/ml/sketch'],
    ['server/ml/models'],
    ['server/ml/training'],
    ['server/ml/generation'],
    ['server/ml/assessment'],
  ];
  const layerOf = (p: string) =>
    LAYERS.findIndex((dirs) => dirs.some((d) => p === d || p === d.replace(/\.ts$/, '') || p.startsWith(`${d}/`)));

  for (const [i, dirs] of LAYERS.entries()) {
    it(`${dirs.join(', ')} imports nothing above it`, () => {
      const files = dirs.flatMap((d) => (d.endsWith('.ts') ? [d] : sourceFiles(d)));
      expect(violations(files, (t) => !('project' in t) || layerOf(t.project) <= i)).toEqual([]);
    });
  }
});
