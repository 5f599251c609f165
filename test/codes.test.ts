// The code tables (native/codes.h), written once: the addon exports them, lib/native.ts checks them
// against the names TS knows (lib/codes.ts CODE_NAMES) and refuses an addon whose tables differ,
// with the reason; TS then takes every code from the addon. The reference backend never loads
// lib/native.ts.
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTIVATION_CODE, CODE_NAMES, LOSS_CODE, MONITOR_CODE, OPTIMIZER_CODE, SCHEDULE_CODE, codeTablesMismatch, nativeCode, type CodeTableName } from '../lib/codes.js';
import { nativeAddon } from '../lib/native.js';
import { runChild } from './helpers/child.js';
import { HAS_NATIVE } from './helpers/data.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'blasnet-codes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Tables with exactly CODE_NAMES' names, coded 0, 1, … in list order. */
function tables(): Record<CodeTableName, Record<string, number>> {
  const out = {} as Record<CodeTableName, Record<string, number>>;
  for (const t of Object.keys(CODE_NAMES) as CodeTableName[]) out[t] = Object.fromEntries(CODE_NAMES[t].map((n, i) => [n, i]));
  return out;
}

describe('codeTablesMismatch', () => {
  it('accepts tables with exactly the names TS knows, whatever the codes', () => {
    expect(codeTablesMismatch(tables())).toBe('');
    const t = tables();
    t.optimizers = { lbfgs: 0, adam: 1, momentum: 2, gd: 3 };
    expect(codeTablesMismatch(t)).toBe('');
  });

  it('names a missing table, a missing name, an unknown name, and codes that are not distinct integers', () => {
    expect(codeTablesMismatch(undefined)).toMatch(/exports no code tables/);
    const { monitors: _, ...noMonitors } = tables();
    expect(codeTablesMismatch(noMonitors)).toMatch(/no table "monitors"/);
    const t = tables();
    delete t.schedules.cosine;
    t.activations.gelu = 6;
    expect(codeTablesMismatch(t)).toMatch(/table "activations" has "gelu", which this blasnet does not know.*table "schedules" lacks "cosine"/);
    const d = tables();
    d.losses.mse = d.losses['cross-entropy']!;
    expect(codeTablesMismatch(d)).toMatch(/table "losses" does not give each name its own integer code/);
    const f = tables();
    f.monitors.cost = 1.5;
    expect(codeTablesMismatch(f)).toMatch(/table "monitors" does not give each name its own integer code/);
  });
});

describe.skipIf(!HAS_NATIVE)('the loaded addon\'s tables', () => {
  it('have exactly the names TS knows, and TS sends the addon\'s codes', () => {
    const codes = nativeAddon()!.codes;
    expect(codeTablesMismatch(codes)).toBe('');
    expect(codes.abi).toBe(nativeAddon()!.abiVersion);
    expect(ACTIVATION_CODE).toEqual(codes.activations);
    expect(LOSS_CODE).toEqual(codes.losses);
    expect(OPTIMIZER_CODE).toEqual(codes.optimizers);
    expect(MONITOR_CODE).toEqual(codes.monitors);
    expect(SCHEDULE_CODE).toEqual(codes.schedules);
    expect(nativeCode('optimizers', 'lbfgs')).toBe(codes.optimizers.lbfgs);
    expect(Object.isFrozen(codes) && Object.isFrozen(codes.activations)).toBe(true);
  });

  it('no TS file writes a code number of these tables: the records and nativeCode are the only source', () => {
    // A literal table such as { gd: 0, momentum: 1, … } or { validationCost: 0, … } anywhere in lib/.
    const literal = /\{\s*(?:gd|sigmoid|validationCost|'cross-entropy'|step|constant)\s*:\s*\d/;
    const offenders: string[] = [];
    const scan = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) scan(p);
        else if (e.name.endsWith('.ts') && literal.test(readFileSync(p, 'utf8'))) offenders.push(p.slice(ROOT.length));
      }
    };
    scan(join(ROOT, 'lib'));
    expect(offenders).toEqual([]);
  });
});

describe.skipIf(!HAS_NATIVE)('an addon whose tables differ is not used (child process, BLASNET_NATIVE_PATH)', () => {
  it('a table without "cosine": the TS backend, and nativeUnavailableReason names the table and the name', async () => {
    const codes = { abi: nativeAddon()!.abiVersion, ...tables() };
    delete (codes.schedules as Record<string, number>).cosine;
    const fake = join(dir, 'fake-addon.js');
    // A CommonJS module standing in for the .node file: what require() returns is all the loader sees.
    writeFileSync(fake, `module.exports = { abiVersion: ${codes.abi}, codes: ${JSON.stringify(codes)}, configure() { throw new Error('must not be configured'); } };\n`);
    const r = await runChild(`
      const { info, NeuralNetwork } = blasnet;
      let error = null;
      try { new NeuralNetwork({ layers: [2, 1], backend: 'native' }); } catch (e) { error = { code: e.code, message: e.message }; }
      console.log(JSON.stringify({ info: info(), error }));
    `, { env: { BLASNET_NATIVE_PATH: fake } });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { info: { backend: string; nativeUnavailableReason: string }; error: { code: string; message: string } };
    expect(out.info.backend).toBe('reference');
    expect(out.info.nativeUnavailableReason).toMatch(/does not match this blasnet's code tables \(table "schedules" lacks "cosine"\)/);
    expect(out.error.code).toBe('ERR_BLASNET_NATIVE_UNAVAILABLE');
  });
});

describe('the reference backend does not depend on lib/native.ts', () => {
  it('no module in lib/reference/ imports it, directly or through another module (runtime imports)', async () => {
    const madge = (await import('madge')).default;
    const config = JSON.parse(readFileSync(`${ROOT}.madgerc`, 'utf8')) as { tsConfig: string };
    const deps = (await madge(`${ROOT}lib`, { ...config, tsConfig: `${ROOT}${config.tsConfig}` })).obj();
    const starts = Object.keys(deps).filter((f) => f.startsWith('reference/'));
    expect(starts).toEqual(expect.arrayContaining(['reference/worker.ts', 'reference/pool.ts', 'reference/trainer.ts']));
    for (const start of starts) {
      const seen = new Set<string>();
      const stack = [...deps[start]!];
      while (stack.length > 0) {
        const f = stack.pop()!;
        if (!seen.has(f)) {
          seen.add(f);
          stack.push(...(deps[f] ?? []));
        }
      }
      expect([...seen].filter((f) => f === 'native.ts'), `${start} reaches native.ts`).toEqual([]);
    }
  }, 60_000);
});
