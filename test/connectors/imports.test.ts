/**
 * The connectors' layer rule: connectors/** import only connectors/**, src/vocabulary.ts,
 * src/text.ts and npm packages (node: built-ins included) — nothing else of the app.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ALLOWED_APP_MODULES = ['src/vocabulary', 'src/text'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|mts|js|mjs)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Every module specifier of `import … from`, `export … from`, `import '…'` and `import('…')`. */
function specifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/\b(?:from|import)\s*\(?\s*(['"])([^'"]+)\1/g)) out.push(m[2]);
  return out;
}

/** Why `spec`, imported from `file`, breaks the rule (null when it does not). */
function violation(file: string, spec: string): string | null {
  if (!spec.startsWith('.') && !spec.startsWith('/')) return null; // an npm package or node: built-in
  const target = relative(root, resolve(dirname(file), spec)).replace(/\.(ts|js)$/, '');
  if (target === 'connectors' || target.startsWith('connectors/')) return null;
  if (ALLOWED_APP_MODULES.includes(target)) return null;
  return `${relative(root, file)} imports ${spec} (${target})`;
}

describe('connectors/ imports', () => {
  it('the specifier scan sees every import form', () => {
    expect(
      specifiers(
        `import a from './a';\nexport { b } from "../b";\nimport './c';\nconst d = await import('../../src/d');\nimport type { E } from 'zod';`,
      ),
    ).toEqual(['./a', '../b', './c', '../../src/d', 'zod']);
  });

  it('nothing of the app but src/vocabulary.ts and src/text.ts', () => {
    const files = sourceFiles(join(root, 'connectors'));
    expect(files.length).toBeGreaterThan(10);
    const bad = files.flatMap((f) => specifiers(readFileSync(f, 'utf8')).map((s) => violation(f, s))).filter(Boolean);
    expect(bad).toEqual([]);
    // The rule does bite: the app's other modules would be refused.
    expect(violation(join(root, 'connectors/console/client.ts'), '../../src/domain/imports')).toMatch(/src\/domain\/imports/);
    expect(violation(join(root, 'connectors/index.ts'), '../src/config')).toMatch(/src\/config/);
  });
});
