// The README and docs/*.md cite only files that exist: every relative Markdown link, and every
// repository path written in backticks (lib/…, test/…, examples/…, scripts/…, data/…, docs/…,
// native/…, benchmarks/…, bin/…, tools/…, .ci/…). A review found the README citing files that were
// not in the repo; this keeps it from happening again.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// CHANGELOG.md is history: it names files as they were.
const DOCS = ['README.md', 'data/README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const PREFIXES = ['lib/', 'test/', 'examples/', 'scripts/', 'data/', 'docs/', 'native/', 'benchmarks/', 'bin/', 'tools/', '.ci/'];

/** Paths a document cites: relative link targets (anchors dropped) and backticked repository paths. */
function cited(file: string): { path: string; from: string }[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: { path: string; from: string }[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1]!.split('#')[0]!;
    // Only what looks like a path: math such as g'(Z[l]) also reads as "](…)".
    if (target === '' || /^[a-z]+:/i.test(target) || !/^[\w./-]+$/.test(target) || !/[./]/.test(target)) continue;
    out.push({ path: normalize(join(dirname(file), target)), from: m[0] });
  }
  for (const m of text.matchAll(/`([^`\s]+)`/g)) {
    let p = m[1]!.replace(/[.,:;)]+$/, '').split('#')[0]!;
    if (!PREFIXES.some((pre) => p.startsWith(pre))) continue;
    // Globs, placeholders and generated output are not files to check.
    if (/[*<>{}…]|\$/.test(p) || p.startsWith('docs/api') || p.startsWith('dist/')) continue;
    p = p.replace(/:\d+(-\d+)?$/, '');
    out.push({ path: p, from: m[0] });
  }
  return out;
}

describe('documentation cites files that exist', () => {
  for (const file of DOCS) {
    it(file, () => {
      const refs = cited(file);
      const missing = refs.filter((r) => !existsSync(join(ROOT, r.path))).map((r) => `${r.path} (${r.from})`);
      expect(missing).toEqual([]);
    });
  }

  it('the check sees the citations (it would pass vacuously on a parse that found none)', () => {
    expect(cited('README.md').length).toBeGreaterThan(10);
  });
});
