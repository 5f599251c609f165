// The module graph of lib/ (madge, resolving the .js specifiers to the .ts sources through
// tsconfig.json): no import cycles; the format, JSON-tree, file I/O and scaling modules import no model; the
// either-kind entry points (lib/persist.ts) are imported by lib/index.ts only.
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('lib/ module graph', () => {
  it('has no import cycles, and persistence depends on the models only where it should', async () => {
    const graph = await madge(`${ROOT}lib`, { fileExtensions: ['ts'], tsConfig: `${ROOT}tsconfig.json` });
    const deps = graph.obj();
    // madge saw the real graph (a test that parsed nothing would pass vacuously).
    expect(deps['index.ts']).toEqual(expect.arrayContaining(['network.ts', 'logistic.ts', 'persist.ts', 'format.ts']));
    expect(deps['network.ts']).toEqual(expect.arrayContaining(['format.ts', 'fileio.ts', 'scaling.ts']));
    expect(graph.circular()).toEqual([]);
    for (const file of ['format.ts', 'fileio.ts', 'jsontree.ts', 'scaling.ts']) {
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
