// Hostile tabular input: column names that are JavaScript's own keys, garbage bytes, quotes and line
// breaks inside fields, huge fields, many columns, records of the wrong shape; then a seeded fuzz of
// random CSV texts (delimiters, quoting, missing tokens, mixed types, ragged lines) through parseCsv,
// Preprocessing.fit, transform and a fitted model. Every case must end in a Table / finite matrix /
// prediction, or in a coded blasnet error: never a crash, a hang, a non-finite input, or a TypeError
// from inside the code.
import { describe, expect, it } from 'vitest';
import { LogisticRegression, NeuralNetwork, parseCsv, Preprocessing, Table } from '../lib/index.js';
import { mulberry32 } from './helpers/data.js';

function outcome(f: () => unknown): { ok: true; value: unknown } | { ok: false; code: string | undefined; error: unknown } {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, code: (e as { code?: string }).code, error: e };
  }
}

const CODES = new Set(['ERR_BLASNET_DATA', 'ERR_BLASNET_ARG_TYPE', 'ERR_BLASNET_ARG_RANGE', 'ERR_BLASNET_SHAPE', 'ERR_BLASNET_LABEL', 'ERR_BLASNET_CONFIG']);

function expectCodedOrOk(r: ReturnType<typeof outcome>, what: string): void {
  if (!r.ok) expect(CODES.has(r.code ?? ''), `${what}: ${String((r.error as Error)?.stack ?? r.error)}`).toBe(true);
}

describe('hostile tabular input', () => {
  it('column names that are Object.prototype keys stay plain columns (no prototype writes)', () => {
    const csv = '__proto__,constructor,toString,hasOwnProperty,y\n1,a,true,2,x\n2,b,false,3,z\n3,a,true,4,x\n';
    const t = parseCsv(csv);
    expect(t.columnNames).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'y']);
    const r = t.records()[0]!;
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(Object.keys(r)).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'y']);
    expect(Object.getOwnPropertyDescriptor(r, '__proto__')?.value).toBe(1);
    const p = Preprocessing.fit(t, { target: 'y' });
    expect(p.columns).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    const net = new NeuralNetwork({ layers: [p.nFeatures, 3, 1], preprocessing: p, seed: 1, epochs: 3 });
    net.fitSync(t, null);
    // Records as a server gets them from JSON.parse: "__proto__" is an own key there too.
    const records = JSON.parse('[{"__proto__": 2, "constructor": "b", "toString": false, "hasOwnProperty": 3}]') as Record<string, unknown>[];
    expect(net.predictProbaSync(records).data).toEqual(net.predictProbaSync(t.take([1])).data);
    const back = NeuralNetwork.fromJSON(JSON.parse(JSON.stringify(net.toJSON())));
    expect(back.predictProbaSync(records).data).toEqual(net.predictProbaSync(records).data);
  });

  it('quotes, quoted delimiters and line breaks, a 1 MB field, 5 000 columns, only a BOM, only a header', () => {
    const q = parseCsv('a,b\n"x, ""quoted""\nline",2\n"",3\n');
    expect(q.column('a')).toEqual(['x, "quoted"\nline', null]);
    const big = 'z'.repeat(1 << 20);
    expect((parseCsv(`a,b\n${big},1\nq,2\n`).column('a') as string[])[0]).toHaveLength(1 << 20);
    const wide = `${Array.from({ length: 5000 }, (_, j) => `c${j}`).join(',')}\n${Array.from({ length: 5000 }, (_, j) => j).join(',')}\n`;
    expect(parseCsv(wide).columns).toHaveLength(5000);
    expect(outcome(() => parseCsv('\ufeff'))).toMatchObject({ ok: false, code: 'ERR_BLASNET_DATA' });
    const header = parseCsv('a,b\n');
    expect(header.nRows).toBe(0);
    expect(outcome(() => Preprocessing.fit(header, { target: 'b' }))).toMatchObject({ ok: false, code: 'ERR_BLASNET_DATA' });
  });

  it('records of the wrong shape are coded errors', () => {
    for (const bad of [[{ a: {} }], [{ a: [1] }], [{ a: Symbol('s') }], [{ a: 1n }], [{ a: new Date(0) }], [null], [1, 2], 'a,b', [{ a: () => 1 }]]) {
      const r = outcome(() => Table.fromRecords(bad as never));
      expect(r.ok, JSON.stringify(String(bad))).toBe(false);
      expectCodedOrOk(r, 'fromRecords');
    }
  });

  it('a model with a preprocessing refuses what it cannot read, with codes', () => {
    const t = parseCsv('c,x,y\nred,1,a\nblue,2,b\nred,3,a\nblue,4,b\n');
    const p = Preprocessing.fit(t, { target: 'y' });
    const lr = new LogisticRegression({ preprocessing: p });
    lr.fitSync(t, null);
    for (const bad of [[[1, 2]], new Float64Array(4), 'red,1', [{ x: 'heavy' }], [{ x: Infinity }], [{ c: {} }], null, undefined]) {
      expectCodedOrOk(outcome(() => lr.predictSync(bad as never)), `predict ${String(bad)}`);
      expect(outcome(() => lr.predictSync(bad as never)).ok).toBe(false);
    }
    // A record with no key the model reads is all gaps: filled, predicted.
    expect(lr.predictSync([{}])).toHaveLength(1);
    expect(outcome(() => lr.fitSync(t, ['a', 'b']))).toMatchObject({ ok: false, code: 'ERR_BLASNET_SHAPE' });
  });
});

// The fuzz: 400 random CSV texts from a seeded generator. Each goes through parseCsv, then (when it reads)
// Preprocessing.fit on a random target, transform on the table and on its records, and a short fit of a
// logistic model or network and a prediction. The generator's cells mix numbers, words, booleans, missing
// tokens, quotes with delimiters and line breaks inside, and whitespace; every tenth file has a ragged last line.
describe('seeded tabular fuzz', () => {
  it('400 random CSV texts: a result with finite inputs, or a coded error', () => {
    const rand = mulberry32(20261206);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
    const words = ['red', 'blue', 'Dream', 'ø', '東京', 'a b', 'x,y', 'q"uote', 'line\nbreak', 'true', 'FALSE', 'yes', 'NA', '', '?', 'NaN', 'null', 'n/a', '-', '0x1f', '1e999', '-0', '007'];
    let ok = 0, coded = 0;
    const seen = new Set<string>();
    for (let c = 0; c < 400; c++) {
      const d = pick([',', ';', '\t', '|']);
      const cols = 1 + Math.floor(rand() * 6), rows = Math.floor(rand() * 30);
      const kinds = Array.from({ length: cols }, () => pick(['num', 'int', 'word', 'bool', 'mixed']));
      const cell = (k: string): string => {
        if (rand() < 0.1) return pick(['', 'NA', '?', 'NaN', 'null']);
        switch (k) {
          case 'num': return String((rand() - 0.5) * 10 ** Math.floor(rand() * 8));
          case 'int': return String(Math.floor(rand() * 4));
          case 'bool': return pick(['true', 'false', 'TRUE']);
          case 'word': return pick(words);
          default: return rand() < 0.5 ? String(rand()) : pick(words);
        }
      };
      const quote = (s: string) => (s.includes(d) || s.includes('"') || s.includes('\n') || rand() < 0.1 ? `"${s.replaceAll('"', '""')}"` : s);
      const lines = [Array.from({ length: cols }, (_, j) => quote(rand() < 0.03 ? '' : `c${j}`)).join(d)];
      for (let i = 0; i < rows; i++) {
        const width = c % 10 === 0 && i === rows - 1 ? cols + 1 : cols;
        lines.push(Array.from({ length: width }, (_, j) => quote(cell(kinds[j] ?? 'word'))).join(d));
      }
      const eol = pick(['\n', '\r\n', 'mixed']);
      const text = lines.map((l, i) => l + (eol === 'mixed' ? (i % 2 ? '\r\n' : '\n') : eol)).join('');
      const what = `case ${c}: ${JSON.stringify(text.slice(0, 200))}`;
      const read = outcome(() => parseCsv(text, rand() < 0.5 ? { delimiter: d } : undefined));
      expectCodedOrOk(read, `${what} parseCsv`);
      if (!read.ok) {
        coded++;
        seen.add(read.code!);
        continue;
      }
      const t = read.value as Table;
      const target = pick(t.columnNames);
      const fit = outcome(() => Preprocessing.fit(t, { target, impute: pick(['mean', 'median', 'most-frequent', 'drop'] as const) }));
      expectCodedOrOk(fit, `${what} Preprocessing.fit(${target})`);
      if (!fit.ok) {
        coded++;
        seen.add(fit.code!);
        continue;
      }
      const p = fit.value as Preprocessing;
      const X = p.transform(t);
      expect(X.data.every(Number.isFinite), `${what}: non-finite input`).toBe(true);
      expect(p.transform(t.records()).data, `${what}: records differ from the table`).toEqual(X.data);
      const model = p.task === 'regression' || rand() < 0.5
        ? new NeuralNetwork({ layers: [p.nFeatures, 2, 1], loss: p.task === 'regression' ? 'mse' : 'cross-entropy', output: p.task === 'regression' ? 'linear' : 'sigmoid', preprocessing: p, seed: c, epochs: 2 })
        : new LogisticRegression({ preprocessing: p, epochs: 5 });
      const trained = outcome(() => (model as NeuralNetwork).fitSync(t, null));
      expectCodedOrOk(trained, `${what} fit`);
      if (!trained.ok) {
        coded++;
        seen.add(trained.code!);
        continue;
      }
      const pred = (model as NeuralNetwork).predictSync(t.records());
      expect((pred as ArrayLike<unknown>).length, what).toBe(t.nRows);
      ok++;
    }
    console.info(`tabular fuzz: ${ok} cases trained and predicted, ${coded} ended in a coded error (${[...seen].sort().join(', ')})`);
    // The generator must exercise both paths, or the test proves little.
    expect(ok).toBeGreaterThan(100);
    expect(coded).toBeGreaterThan(20);
  });
});
