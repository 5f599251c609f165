// examples/server.ts (fastify) end to end, over real HTTP on 127.0.0.1 (listen on port 0, fetch):
// a penguins network trained here, saved and loaded as the tutorial does, answers POST /predict with
// the labels and probabilities predictSync gives for the same records (bit for bit through JSON);
// a few thousand predictions from 16 concurrent clients while a background retrain runs all succeed,
// never stall, and come from the old model (bit-identical) until the new one is swapped in under the
// next version; a second /train is 409. Then the 400s (fastify's JSON-schema validation, naming the
// field), an unseen category (200 with a warning), a regressor, app.close() aborting a retrain, and the
// command's graceful SIGTERM in a child process. Traffic goes only to 127.0.0.1; every loop is bounded.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../examples/server.js';
import { DEFAULT_MISSING, loadModel, Matrix, NeuralNetwork, Preprocessing, readCsv, type Model, type Table } from '../lib/index.js';
import { dataPath } from './helpers/datasets.js';

const TOTAL = 2000;
const CONCURRENCY = 16;
const TRAIN_TARGET_MS = 4000; // unloaded; under the load it runs longer, so it lasts through much of the load
const MAX_LATENCY_MS = 1000;

interface Reply {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  text: string;
  ms: number;
}

/** One request to a server on 127.0.0.1; `body` is sent as JSON unless it is a string. */
async function request(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const url = new URL(path, base);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to send traffic to ${url.hostname}`);
  const t0 = performance.now();
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // left undefined; the test checks it
  }
  return { status: res.status, headers: res.headers, json, text, ms: performance.now() - t0 };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls /health until no retrain runs (bounded). */
async function waitForIdle(base: string, timeoutMs = 30_000): Promise<Reply> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const h = await request(base, 'GET', '/health');
    if (h.json.training === null) return h;
    if (performance.now() > deadline) throw new Error(`still training after ${timeoutMs} ms: ${h.text}`);
    await sleep(50);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'blasnet-server-'));
const modelFile = join(dir, 'penguins-model.json');
const penguins: Table = await readCsv(dataPath('penguins.csv'), { missing: [...DEFAULT_MISSING, '.'] });
/** The CSV's rows as a client would send them: the model's columns only (no id, no species). */
const records = penguins.records().map(({ id: _id, species: _species, ...features }) => features);

/** The tutorial's model, shorter: trained here, saved, and loaded back as the server's command loads it. */
async function tutorialModel(): Promise<Model> {
  const prep = Preprocessing.fit(penguins, { target: 'species', ignore: ['id'] });
  const net = new NeuralNetwork({ layers: [prep.nFeatures, 16, 3], preprocessing: prep, seed: 1 });
  await net.fit(penguins);
  await net.save(modelFile);
  return loadModel(modelFile);
}

describe('examples/server.ts over HTTP', () => {
  let model: Model;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    model = await tutorialModel();
    app = buildServer({ model, trainingData: penguins });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('GET /health describes the served model', async () => {
    const h = await request(base, 'GET', '/health');
    expect(h.status).toBe(200);
    expect(h.json).toMatchObject({
      status: 'ok', modelVersion: 1, task: 'multiclass', classes: ['Adelie', 'Chinstrap', 'Gentoo'],
      columns: ['island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex'], training: null, lastTraining: null,
    });
  });

  it('POST /predict gives the labels and probabilities of predictSync, for every row of the CSV', async () => {
    const r = await request(base, 'POST', '/predict', { records });
    expect(r.status).toBe(200);
    expect(r.json.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(r.json.predictions).toHaveLength(penguins.nRows);
    const labels = model.predictSync(records) as string[];
    const P = model.predictProbaSync(records);
    r.json.predictions.forEach((p: { label: string; probabilities: Record<string, number> }, i: number) => {
      expect(p.label).toBe(labels[i]);
      expect([p.probabilities.Adelie, p.probabilities.Chinstrap, p.probabilities.Gentoo]).toEqual(Array.from(P.row(i)));
    });
    // The model learned the species: the labels agree with the CSV's on nearly every row.
    const truth = penguins.column('species') as string[];
    expect(r.json.predictions.filter((p: { label: string }, i: number) => p.label === truth[i]).length).toBeGreaterThan(0.95 * penguins.nRows);
  });

  it('a left-out column or a null is a gap filled from the training rows; an unseen category is zeros and a warning, not a crash', async () => {
    const { sex: _sex, ...noSex } = records[0]!;
    const a = await request(base, 'POST', '/predict', { records: [noSex, { ...noSex, sex: null }, { ...records[0], island: 'Atlantis' }] });
    expect(a.status).toBe(200);
    expect(a.json.predictions[0]).toEqual(a.json.predictions[1]);
    expect(a.json.predictions[2].label).toBe((model.predictSync([{ ...records[0], island: 'Atlantis' }]) as string[])[0]);
    expect(a.json.warnings).toEqual(['records[2].island: "Atlantis" was not seen in training (encoded as all zeros)']);
    const b = await request(base, 'POST', '/predict', { records: [{}] });
    expect(b.status).toBe(200);
    expect(b.json.warnings).toBeUndefined();
  });

  it(`answers ${TOTAL} predictions from ${CONCURRENCY} concurrent clients while a retrain runs: no stall, old answers bit-identical, then the next version`, { timeout: 60_000, retry: 1 }, async () => {
    const v0: number = (await waitForIdle(base)).json.modelVersion;
    // A short retrain first, to size the long one from this machine's speed.
    expect((await request(base, 'POST', '/train', { epochs: 2000 })).status).toBe(202);
    const probe = await waitForIdle(base);
    expect(probe.json.lastTraining).toMatchObject({ job: expect.any(Number), ms: expect.any(Number) });
    expect(probe.json.lastTraining.error).toBeUndefined();
    expect(probe.json.modelVersion).toBe(v0 + 1);
    const v1 = v0 + 1;

    // Fixed payloads: 10 single rows and 10 batches of 20 rows; their answers before the retrain.
    const payloads = [
      ...Array.from({ length: 10 }, (_, k) => [records[(k * 37) % records.length]!]),
      ...Array.from({ length: 10 }, (_, k) => Array.from({ length: 20 }, (_, j) => records[(k * 31 + j * 7) % records.length]!)),
    ];
    const before: string[] = [];
    for (const p of payloads) before.push(JSON.stringify((await request(base, 'POST', '/predict', { records: p })).json.predictions));

    const epochs = Math.min(1_000_000, Math.max(5000, Math.round((TRAIN_TARGET_MS * 2000) / probe.json.lastTraining.ms)));
    const started = await request(base, 'POST', '/train', { epochs });
    expect(started.status).toBe(202);
    expect(started.json).toEqual({ job: expect.any(Number), epochs });
    const second = await request(base, 'POST', '/train', { epochs: 10 });
    expect(second.status).toBe(409);
    expect(second.json.message).toMatch(/is running/);

    const latencies: number[] = [];
    const failures: string[] = [];
    const versions = new Map<number, number>();
    const epochsSeen: number[] = [];
    let next = 0, identical = 0;
    const client = async () => {
      while (next < TOTAL) {
        const i = next++;
        const k = i % payloads.length;
        let r: Reply;
        try {
          r = await request(base, 'POST', '/predict', { records: payloads[k] });
        } catch (e) {
          failures.push(`request ${i}: ${(e as Error).message}`);
          continue;
        }
        latencies.push(r.ms);
        if (r.status !== 200 || r.json.predictions?.length !== payloads[k]!.length) {
          failures.push(`request ${i}: ${r.status} ${r.text.slice(0, 200)}`);
          continue;
        }
        versions.set(r.json.modelVersion, (versions.get(r.json.modelVersion) ?? 0) + 1);
        if (r.json.modelVersion === v1) {
          if (JSON.stringify(r.json.predictions) === before[k]) identical++;
          else failures.push(`request ${i}: model v${v1} answered differently than before the retrain`);
        } else if (r.json.modelVersion !== v1 + 1) {
          failures.push(`request ${i}: unexpected modelVersion ${r.json.modelVersion}`);
        }
        if (i % 100 === 0) {
          const h = await request(base, 'GET', '/health');
          if (h.json.training) epochsSeen.push(h.json.training.epoch);
        }
      }
    };
    const tLoad = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, client));
    const loadMs = performance.now() - tLoad;
    const stillTraining = (await request(base, 'GET', '/health')).json.training;

    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    console.log(`[server] ${latencies.length} POST /predict in ${loadMs.toFixed(0)} ms (${CONCURRENCY} clients; 1 or 20 rows each); ` +
      `latency p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms, max ${sorted.at(-1)!.toFixed(2)} ms; ` +
      `answers by model version ${JSON.stringify(Object.fromEntries(versions))}; retrain of ${epochs} epochs still running after the load: ${JSON.stringify(stillTraining)}`);

    expect(failures.slice(0, 5)).toEqual([]);
    expect(latencies).toHaveLength(TOTAL);
    expect(sorted.at(-1)!).toBeLessThan(MAX_LATENCY_MS);
    expect(identical).toBe(versions.get(v1) ?? 0);
    expect(versions.get(v1) ?? 0).toBeGreaterThan(TOTAL / 4); // the load really ran during the retrain (how much of it depends on the machine's load)
    expect(epochsSeen.length).toBeGreaterThan(0);

    // It completes; the new model answers under the next version, differently.
    const idle = await waitForIdle(base);
    expect(idle.json.modelVersion).toBe(v1 + 1);
    expect(idle.json.lastTraining.error).toBeUndefined();
    const after = await request(base, 'POST', '/predict', { records: payloads.at(-1) });
    expect(after.json.modelVersion).toBe(v1 + 1);
    expect(JSON.stringify(after.json.predictions)).not.toBe(before.at(-1));
    // One retry: this shares two cores with whatever else runs; a real stall fails both attempts.
  });

  describe('bad input: 400 with a message naming the field, never a crash', () => {
    async function expect400(body: unknown, message: RegExp, headers: Record<string, string> = {}, status = 400): Promise<void> {
      const r = await request(base, 'POST', '/predict', body, headers);
      expect(r.status, r.text.slice(0, 300)).toBe(status);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.json.message).toMatch(message);
    }

    it('a cell of the wrong type', async () => {
      await expect400({ records: [{ ...records[0], bill_length_mm: '39.1' }] }, /^body\.records\[0\]\.bill_length_mm must be number,null$/);
      await expect400({ records: [records[0], { island: true }] }, /^body\.records\[1\]\.island must be string,number,null$/);
      await expect400({ records: [{ body_mass_g: [3750] }] }, /body\.records\[0\]\.body_mass_g/);
    });

    it('an unknown column (a typo), listing the model\'s columns', async () => {
      await expect400({ records: [{ bill_lenght_mm: 39.1 }] }, /^body\.records\[0\] has an unknown field "bill_lenght_mm"; the model reads island, bill_length_mm, .*sex$/);
      await expect400({ records: [{ id: 'P001', island: 'Dream' }] }, /unknown field "id"/);
    });

    it('a body without records, with an empty or wrong records, or with other fields', async () => {
      await expect400({}, /body must have required property 'records'/);
      await expect400({ records: [] }, /body\.records must NOT have fewer than 1 items/);
      await expect400({ records: records[0] }, /body\.records must be array/);
      await expect400({ records: [1, 2] }, /body\.records\[0\] must be object/);
      await expect400({ records: [records[0]], inputs: [[1]] }, /body has an unknown field "inputs"$/);
      await expect400([records[0]], /body must be object/);
    });

    it('not JSON, a number too large for a double, a non-JSON content type, a body over 1 MiB', async () => {
      await expect400('{"records": [{"island": "Dream"', /not valid JSON/);
      await expect400('{"records": [{"body_mass_g": 1e999}]}', /body\.records\[0\]\.body_mass_g must be number,null/);
      await expect400('records=1', /Unsupported Media Type/i, { 'content-type': 'application/x-www-form-urlencoded' }, 415);
      const big = JSON.stringify({ records: Array.from({ length: 12_000 }, (_, i) => records[i % records.length]) });
      expect(big.length).toBeGreaterThan(1024 * 1024);
      await expect400(big, /too large/i, {}, 413);
    });

    it('a bad /train body', async () => {
      for (const [body, message] of [[{ epochs: 0 }, /body\.epochs must be >= 1/], [{ epochs: 2.5 }, /body\.epochs must be integer/], [{ epochs: '10' }, /body\.epochs must be integer/], [{ rate: 1 }, /unknown field "rate"/]] as const) {
        const r = await request(base, 'POST', '/train', body);
        expect(r.status, r.text).toBe(400);
        expect(r.json.message).toMatch(message);
      }
      expect((await request(base, 'GET', '/health')).json.training).toBe(null);
    });

    it('is still healthy after all of it', async () => {
      expect((await request(base, 'POST', '/predict', { records: records.slice(0, 3) })).json.predictions).toHaveLength(3);
    });
  });
});

describe('examples/server.ts: other models and shutdown (app.inject)', () => {
  it('refuses a model without a tabular preprocessing, and a regressor answers values', async () => {
    const numeric = new NeuralNetwork({ layers: [2, 3, 1], seed: 1, epochs: 2 });
    numeric.fitSync(Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]), [0, 1, 1, 0]);
    expect(() => buildServer({ model: numeric })).toThrow(/no tabular preprocessing/);

    const diabetes = await readCsv(dataPath('diabetes.csv'));
    const prep = Preprocessing.fit(diabetes, { target: 'target' });
    const net = new NeuralNetwork({ layers: [prep.nFeatures, 8, 1], loss: 'mse', preprocessing: prep, seed: 1, epochs: 20 });
    net.fitSync(diabetes);
    const app = buildServer({ model: net });
    const rows = diabetes.records().slice(0, 5).map(({ target: _t, ...x }) => x);
    const r = await app.inject({ method: 'POST', url: '/predict', payload: { records: rows } });
    expect(r.statusCode).toBe(200);
    expect(r.json().predictions.map((p: { value: number }) => p.value)).toEqual(Array.from(net.predictSync(rows) as Float64Array));
    expect((await app.inject({ method: 'POST', url: '/train', payload: {} })).statusCode).toBe(404); // no training data, no /train
    await app.close();
    const small = buildServer({ model: net, maxRecords: 3 });
    const r4 = await small.inject({ method: 'POST', url: '/predict', payload: { records: rows.slice(0, 4) } });
    expect(r4.statusCode).toBe(400);
    expect(r4.json().message).toBe('body.records must NOT have more than 3 items');
    await small.close();
  });

  it('app.close() aborts a running retrain and keeps the served model', async () => {
    const model = await loadModel(modelFile);
    const app = buildServer({ model, trainingData: penguins });
    expect((await app.inject({ method: 'POST', url: '/train', payload: { epochs: 1_000_000 } })).statusCode).toBe(202);
    await sleep(100);
    const t0 = performance.now();
    await app.close();
    expect(performance.now() - t0).toBeLessThan(5000); // a million epochs would take about a minute
  });
});

// The command, when dist/ holds a build of the current examples/server.ts (npx tsc -p tsconfig.json).
const compiled = fileURLToPath(new URL('../dist/examples/server.js', import.meta.url));
const source = fileURLToPath(new URL('../examples/server.ts', import.meta.url));
const built = existsSync(compiled) && statSync(compiled).mtimeMs >= statSync(source).mtimeMs;

describe.skipIf(!built)('node dist/examples/server.js (the command)', () => {
  it('loads --model and --data, listens, and on SIGTERM aborts its retrain, closes and exits 0', async () => {
    const child = spawn(process.execPath, [compiled, '--model', modelFile, '--data', dataPath('penguins.csv'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = performance.now() + 15_000;
      let url: string | undefined;
      while (!(url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1])) {
        if (performance.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${out}`);
        await sleep(20);
      }
      expect((await request(url, 'GET', '/health')).json).toMatchObject({ modelVersion: 1, training: null });
      expect((await request(url, 'POST', '/train', { epochs: 1_000_000 })).status).toBe(202);
      const t0 = performance.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      console.log(`[server] SIGTERM to exit during a retrain: ${(performance.now() - t0).toFixed(0)} ms`);
      expect(out).toMatch(/SIGTERM: closing/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
