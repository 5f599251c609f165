// The module graph of lib/ (madge with the repository's .madgerc, as `npm run check:cycles` runs it:
// the .js specifiers resolved to the .ts sources through tsconfig.json, runtime imports only — an
// `import type` is erased by tsc and cannot take part in a load-order cycle): no import cycles; the
// format (lib/format/), tabular (lib/tabular/), JSON-tree, file I/O and scaling modules import no model; the either-kind entry points
// (lib/persist.ts) are imported by lib/index.ts only.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('lib/ module graph', () => {
  it('has no import cycles, and persistence depends on the models only where it should', async () => {
    const config = JSON.parse(readFileSync(`${ROOT}.madgerc`, 'utf8')) as { tsConfig: string };
    const graph = await madge(`${ROOT}lib`, { ...config, tsConfig: `${ROOT}${config.tsConfig}` });
    const deps = graph.obj();
    // madge saw the real graph (a test that parsed nothing would pass vacuously).
    expect(deps['index.ts']).toEqual(expect.arrayContaining(['network.ts', 'logistic.ts', 'persist.ts', 'format/spec.ts', 'tabular/csv.ts']));
    // (The models reach the file system through lib/format/'s readModelFile / writeModelFile only,
    // share the estimator contract and the fit driver, and read tabular data through lib/tabular/.)
    expect(deps['network.ts']).toEqual(expect.arrayContaining(['format/document.ts', 'format/write.ts', 'format/preprocessing.ts', 'scaling.ts', 'estimator.ts', 'fit.ts', 'tabular/preprocess.ts']));
    expect(deps['format/document.ts']).toEqual(expect.arrayContaining(['fileio.ts', 'jsontree.ts']));
    expect(graph.circular()).toEqual([]);
    // Cycles through `import type` only are allowed; say which there are.
    const withTypes = await madge(`${ROOT}lib`, { fileExtensions: ['ts'], tsConfig: `${ROOT}tsconfig.json` });
    if (withTypes.circular().length > 0) console.info(`type-only import cycles in lib/: ${JSON.stringify(withTypes.circular())}`);
    const modules = Object.keys(deps).filter((f) => f.startsWith('format/') || f.startsWith('tabular/'));
    for (const file of [...modules, 'fileio.ts', 'jsontree.ts', 'scaling.ts']) {
      const reachable = new Set<string>();
      const stack = [...deps[file]!];
      while (stack.length > 0) {
        const f = stack.pop()!;
        if (!reachable.has(f)) {
          reachable.add(f);
          stack.push(...(deps[f] ?? []));
        }
      }
      expect([...reachable].filter((f) => f === 'network.ts' || f === 'logistic.ts' || f === 'persist.ts'), `${file} reaches a model`).toEqual([]);
    }
    expect(graph.depends('persist.ts'), 'only lib/index.ts imports lib/persist.ts: import loadModel / modelFromJSON / Model from lib/index.ts').toEqual(['index.ts']);
  });
});
