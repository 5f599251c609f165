// The streamed CSV (issue 19): `blasnet train` on a generated file of at least 1 GB (20 numeric
// features and a binary label; 5.5 million rows, 1.06 GB, by default), one epoch of the default network, the
// file streamed. Prints the file's size and rows, the time of a plain parsing pass (the file read
// through csvBatches, nothing trained: MB/s), the CLI's first pass, epoch and measuring pass, rows per
// second, the share of the epoch spent parsing, and the CLI process's peak RSS (VmHWM, target
// < 400 MiB). Not a test and not a wN workload (it writes a 1 GB file and takes minutes):
//   npm run build:ts && node dist/benchmarks/stream-csv.js [--rows N] [--file path] [--keep] [--generate-only]
// The file is generated once (seeded) and reused when it exists with the same row count.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { csvBatches, scanCsv } from '../lib/index.js';
import { mulberry32 as rng } from './common.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({ options: { rows: { type: 'string', default: '5500000' }, file: { type: 'string' }, keep: { type: 'boolean', default: false }, 'generate-only': { type: 'boolean', default: false } } });
const ROWS = Number(values.rows);
const FILE = values.file ?? join(ROOT, '.cache', `stream-${ROWS}.csv`);
const FEATURES = 20;


async function generate(): Promise<void> {
  const out = createWriteStream(FILE);
  const r = rng(2026);
  const w = Array.from({ length: FEATURES }, () => r() * 2 - 1);
  out.write(`${Array.from({ length: FEATURES }, (_, j) => `x${j}`).join(',')},y\n`);
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    let z = 0;
    const x = Array.from({ length: FEATURES }, (_, j) => {
      const v = (r() * 2 - 1) * 3;
      z += w[j]! * v;
      return v.toFixed(6);
    });
    lines.push(`${x.join(',')},${z + (r() - 0.5) > 0 ? 1 : 0}`);
    if (lines.length === 10_000) {
      if (!out.write(`${lines.join('\n')}\n`)) await new Promise<void>((ok) => out.once('drain', () => ok()));
      lines.length = 0;
    }
  }
  out.write(lines.length ? `${lines.join('\n')}\n` : '');
  await new Promise<void>((ok) => out.end(() => ok()));
}

/** Runs the CLI and polls its VmHWM (peak resident set), KiB; returns its output and the peak. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; peakKiB: number; seconds: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'blasnet.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', peak = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      try {
        const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        // exited
      }
    }, 20);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr, peakKiB: peak, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

async function main(): Promise<void> {
  if (!existsSync(FILE) || statSync(FILE).size < 1000) {
    mkdirSync(dirname(FILE), { recursive: true });
    console.log(`generating ${FILE} (${ROWS} rows × ${FEATURES} features + label)…`);
    await generate();
  }
  if (values['generate-only']) return;
  const bytes = statSync(FILE).size;
  const mb = bytes / 1e6;
  console.log(`file: ${FILE}: ${(bytes / 2 ** 30).toFixed(3)} GiB (${mb.toFixed(0)} MB), ${ROWS} rows`);

  // Parsing alone: the first pass, and a batch pass (what each epoch reads), nothing trained.
  let t0 = performance.now();
  const scan = await scanCsv(FILE, { target: 'y' });
  const scanS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  let n = 0;
  for await (const b of csvBatches(FILE, scan, { batchSize: 200, bufferRows: 65536, seed: 0, epoch: 0 })) n += b.nRows;
  const readS = (performance.now() - t0) / 1000;
  console.log(`parsing alone: scan ${scanS.toFixed(1)} s (${(mb / scanS).toFixed(1)} MB/s); a shuffled batch pass ${readS.toFixed(1)} s (${(mb / readS).toFixed(1)} MB/s, ${(n / readS / 1e3).toFixed(0)} k rows/s)`);

  const run = await cli(['train', FILE, '--target', 'y', '--epochs', '1', '--stream', '--seed', '0']);
  if (run.code !== 0) throw new Error(`blasnet train failed (${run.code}):\n${run.stderr}\n${run.stdout}`);
  const epochS = Number(/trained: 1 epochs? in ([\d.]+) s/.exec(run.stdout)?.[1] ?? NaN);
  console.log(run.stdout.trim().split('\n').map((l) => `  | ${l}`).join('\n'));
  console.log('');
  console.log('| figure | value |');
  console.log('|---|---|');
  console.log(`| file | ${(bytes / 2 ** 30).toFixed(3)} GiB, ${ROWS} rows × ${FEATURES} features |`);
  console.log(`| CLI train --epochs 1 --stream, whole process | ${run.seconds.toFixed(1)} s (first pass, epoch, measuring pass) |`);
  console.log(`| the epoch | ${epochS.toFixed(1)} s, ${(ROWS / epochS / 1e3).toFixed(0)} k rows/s, ${(mb / epochS).toFixed(1)} MB/s |`);
  console.log(`| parsing alone (a shuffled batch pass) | ${readS.toFixed(1)} s, ${(mb / readS).toFixed(1)} MB/s: ${(100 * readS / epochS).toFixed(0)} % of the epoch |`);
  console.log(`| training (the epoch less parsing) | ${(epochS - readS).toFixed(1)} s: ${(100 * (epochS - readS) / epochS).toFixed(0)} % of the epoch |`);
  console.log(`| peak RSS of the CLI process | ${(run.peakKiB / 1024).toFixed(0)} MiB (target < 400 MiB) |`);
  if (!values.keep && !values.file) unlinkSync(FILE);
}

await main();
