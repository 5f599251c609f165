// The benchmark harness: the Workload interface every workload file (benchmarks/wN-*.ts) exports,
// deterministic data helpers, the correctness checks, tinybench timing for in-process
// implementations, the Python peer protocol (benchmarks/peers/*.py), and table/JSON output.
//
// A workload only describes *what* to run: it returns a list of entries (one per implementation ×
// thread count), each able to produce a result and to check it against blasnet's reference backend.
// This file decides *how*: check first, time only what passed, compute the ratios, print, save.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { info, type BlasInfo } from '../lib/index.js';
import { packageRoot } from '../lib/native.js';

// ---- configuration -------------------------------------------------------------------------

export interface BenchConfig {
  /** --quick: fewer samples (and, where a workload says so, fewer iterations for slow implementations). */
  quick: boolean;
  /** false with --no-peers: the Python peers are not run. */
  peers: boolean;
  /** --keep: leave the temporary folder with the peers' inputs and outputs in place. */
  keep: boolean;
}

/** The repository root (blasnet's package root). */
export const ROOT: string = packageRoot();

export const RESULTS_DIR = join(ROOT, 'benchmarks', 'results');
export const PEERS_DIR = join(ROOT, 'benchmarks', 'peers');
export const PYTHON = '/usr/bin/python3';

// ---- the machine -------------------------------------------------------------------------------

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  node: string;
  platform: string;
  arch: string;
  /** os.loadavg() when the run started: other processes make every number noisier. */
  loadavg: number[];
  blas: BlasInfo;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    blas: info(),
  };
}

export function machineLine(m: MachineInfo): string {
  const b = m.blas;
  const blas = b.backend === 'native'
    ? `OpenBLAS ${b.version ?? '?'} | core ${b.corename} | threads ${b.threads} | config "${b.config}"`
    : `no native backend (${b.nativeUnavailableReason})`;
  return `machine: ${m.cpuModel} | ${m.cores} cores | Node ${m.node} ${m.platform}-${m.arch} | ${blas} | load ${m.loadavg.join(' ')}`;
}

/**
 * This process's peak resident set size, KiB: VmHWM from /proc/self/status, which belongs to the
 * process image since its exec. (getrusage's maxRSS, process.resourceUsage().maxRSS, also counts
 * the pages of the parent that forked it, here the whole benchmark runner.) Elsewhere maxRSS.
 * For the child processes that measure a fit's memory (rss-child.ts, mnist-rss-child.ts).
 */
export function peakRssKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

// ---- deterministic data ------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG; uniform doubles in [0, 1) with 32 random bits each. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws by Box–Muller from a uniform source (both values of each pair are used). */
export function gaussian(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u1 = 1 - uniform(); // (0, 1]: log(u1) is finite
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
}

/** FNV-1a over the bytes of the arrays: a fingerprint that shows two runs used the same data. */
export function fingerprint(...arrays: Float64Array[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Writes raw little-endian float64 (the peers' input format). */
export function writeF64(path: string, data: Float64Array): void {
  if (os.endianness() === 'LE') {
    writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return;
  }
  const buf = Buffer.alloc(data.length * 8);
  for (let i = 0; i < data.length; i++) buf.writeDoubleLE(data[i]!, i * 8);
  writeFileSync(path, buf);
}

/** Reads raw little-endian float64. */
export function readF64(path: string): Float64Array {
  const buf = readFileSync(path);
  if (buf.length % 8 !== 0) throw new Error(`${path}: ${buf.length} bytes is not a whole number of float64 values`);
  const out = new Float64Array(buf.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = buf.readDoubleLE(i * 8);
  return out;
}

// ---- checks ------------------------------------------------------------------------------------

/** The outcome of comparing one implementation's result with blasnet's reference backend. */
export interface Check {
  ok: boolean;
  /** Shown in the table's check column: 'ok', 'ok (oracle)', 'WRONG: …'. */
  label: string;
  /** Largest relative error per compared quantity. */
  maxRelErr?: Record<string, number>;
}

export interface Comparison {
  name: string;
  got: ArrayLike<number | null> | number | null | undefined;
  want: ArrayLike<number> | number;
}

/**
 * Compares results with the reference: |got − want| ≤ rtol · max(|want|, floor), per value, where
 * floor = 1e-3 · max|want| over the array (so entries that are almost 0 are judged against the
 * array's scale, not against 0). Lengths must match; a missing or non-finite value fails.
 */
export function compareResults(comparisons: Comparison[], rtol: number): Check {
  const maxRelErr: Record<string, number> = {};
  const failures: string[] = [];
  for (const { name, got, want } of comparisons) {
    const w = typeof want === 'number' ? [want] : Array.from(want);
    if (got === null || got === undefined) {
      failures.push(`${name} missing`);
      continue;
    }
    const g = typeof got === 'number' ? [got] : Array.from(got);
    if (g.length !== w.length) {
      failures.push(`${name} has ${g.length} values, expected ${w.length}`);
      continue;
    }
    let scale = 0;
    for (const v of w) scale = Math.max(scale, Math.abs(v));
    const floor = 1e-3 * scale;
    let worst = 0, worstAt = -1;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
      const err = typeof gi === 'number' && Number.isFinite(gi)
        ? Math.abs(gi - w[i]!) / Math.max(Math.abs(w[i]!), floor, Number.MIN_VALUE)
        : Infinity;
      if (err > worst || worstAt < 0) {
        worst = err;
        worstAt = i;
      }
    }
    maxRelErr[name] = worst;
    if (!(worst <= rtol)) {
      const where = w.length > 1 ? `[${worstAt}]` : '';
      failures.push(`${name}${where} rel ${worst.toExponential(1)}`);
    }
  }
  const worstAll = Math.max(0, ...Object.values(maxRelErr).filter(Number.isFinite));
  if (failures.length > 0) return { ok: false, label: `WRONG: ${failures.join(', ')}`, maxRelErr };
  return { ok: true, label: `ok (${worstAll.toExponential(0)})`, maxRelErr };
}

// ---- workloads and their entries -------------------------------------------------------------

/** One row of a workload's results: one implementation at one thread count. */
interface EntryBase {
  /** 'blasnet-native', 'blasnet-reference', 'numpy', … */
  impl: string;
  /** BLAS threads (1 for single-threaded JS). */
  threads: number;
  /** The table the row belongs to; 'main' by default. Each table is printed separately. */
  table?: string;
  /** The baseline of the ratio column: rows compare with the baseline row of the same thread count (in their table, when it has one). */
  baseline?: boolean;
  /** Shown in the table's notes column (e.g. how a time was scaled). */
  notes?: string[];
  /**
   * The timed run makes this many calls (W4: predictions of one example): the reported median and
   * samples are divided by it, i.e. they are per call. Unlike `scale`, this is not marked with `*`.
   */
  perCall?: number;
}

/** Runs in this process and is timed by tinybench. */
export interface InProcessEntry<R = unknown> extends EntryBase {
  kind: 'in-process';
  /** Called before the check run and the timing (e.g. setThreads, or switching tfjs's backend). */
  setup?: () => void | Promise<void>;
  /** Called after the row ran, even after an error (e.g. dispose tensors). */
  teardown?: () => void;
  /** The function whose result is checked before timing; `run` when omitted. */
  checkRun?: () => R | Promise<R>;
  /** The timed function. It may return a promise only when `async` is true. */
  run: () => R | Promise<R>;
  /** `run` returns a promise, awaited inside the timed window (tinybench's async mode). */
  async?: boolean;
  /**
   * The implementation times itself (like the peers): `run` is called `warmup` + `samples` times
   * outside tinybench, and the times (ms) of the samples are what this returns for each result
   * (one or more numbers per call). For example the addon's gemmSequence, or a time-to-accuracy
   * run that leaves its own evaluation out.
   */
  selfTimed?: (result: R) => number[];
  /** Also show the check of the last timed run in the table when it differs from the check run's. */
  showTimedCheck?: boolean;
  /** Facts about the last timed run's result for the row: metrics, notes, details (JSON only). */
  report?: (last: R) => { metrics?: Record<string, number>; notes?: string[]; details?: Record<string, unknown> };
  /** Compares a result with the reference. Also applied to the last timed run's result. */
  check: (result: R) => Check;
  /** Result already known (e.g. the reference run that is the oracle): no separate check run. */
  precomputed?: R;
  /** tinybench samples and warmup calls (the check run warms up too). */
  samples: number;
  warmup: number;
  /** The reported median is the sample median × scale (e.g. 100 iterations timed for 1 000). */
  scale?: number;
  /** Time budget for the samples, ms (BUDGET_MS by default); applies when the check run is `run`. */
  budgetMs?: number;
  /** false when no BLAS is involved (the BLAS core column then shows —). */
  blas?: boolean;
}

/** A Python script under benchmarks/peers/, run as a child process that times itself. */
export interface PeerEntry extends EntryBase {
  kind: 'peer';
  /** Script file in benchmarks/peers/, e.g. 'numpy_peer.py'. */
  script: string;
  /** Extra arguments before the spec path (e.g. '--autograd'). */
  args?: string[];
  /** Python modules the script needs, checked with `/usr/bin/python3 -c "import …"`. */
  modules: string[];
  /** The spec fields of the workload (threads, repeats, warmup, dir and out are added). */
  spec: Record<string, unknown>;
  /**
   * Untimed and timed runs inside the child for the timing run. The harness first runs the peer
   * once (warmup 0, repeats 1) to check its result; with repeats 1 and warmup 0 that run is also
   * the timing. Otherwise a second child times it, with repeats cut to fit `budgetMs`.
   */
  repeats: number;
  warmup: number;
  /** Time budget of the timing run, ms (BUDGET_MS by default). */
  budgetMs?: number;
  /** Extra environment variables for the child (shown in the notes column). */
  env?: Record<string, string>;
  /**
   * 'blasnet': the child gets OPENBLAS_CORETYPE = the core blasnet runs (info().corename), so both
   * use the same kernels. 'default': OPENBLAS_CORETYPE is removed ("out of the box").
   */
  coretype: 'blasnet' | 'default';
  /** Checks the child's report; `out` is the folder its output files are in. */
  check: (report: PeerReport, out: string) => Check;
}

/** A row that cannot run (e.g. a peer without support for the workload): listed as skipped, with the reason. */
export interface SkippedEntry extends EntryBase {
  kind: 'skipped';
  reason: string;
}

export type Entry = InProcessEntry<any> | PeerEntry | SkippedEntry; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface WorkloadContext {
  config: BenchConfig;
  machine: MachineInfo;
  /** A temporary folder for this workload's peer inputs (write them in prepare). */
  dir: string;
  log: (line: string) => void;
}

/**
 * A workload: one file benchmarks/wN-name.ts exporting `workload` (see run.ts for discovery).
 * `prepare` generates the data (deterministically), computes the reference result and returns
 * the entries in the order they should run.
 */
export interface Workload {
  /** 'W1', 'W2', … as accepted by --only. */
  id: string;
  /** A function when the title depends on the mode (--quick runs smaller sizes). */
  title: string | ((config: BenchConfig) => string);
  /** The unit of the printed median column (default 'ms'; W4's latencies use 'µs'). JSON stays in ms. */
  unit?: TimeUnit;
  /** The workload's parameters as they are recorded in the results JSON. */
  params: (config: BenchConfig) => Record<string, unknown>;
  prepare: (ctx: WorkloadContext) => Entry[] | Promise<Entry[]>;
  /** Facts about the generated data to record (fingerprints, label balance, …). */
  dataInfo?: () => Record<string, unknown>;
  /** Called after all entries ran, even after errors (restore process-wide state). */
  cleanup?: () => void;
  /**
   * Called with the finished result (ratios computed): derived numbers (GFLOP/s, examples/s, …)
   * go into rows' `metrics` and `notes`, workload-wide ones into `summary` and `summaryLines`.
   */
  finish?: (result: WorkloadResult) => void;
}

export function titleOf(w: Workload, config: BenchConfig): string {
  return typeof w.title === 'function' ? w.title(config) : w.title;
}

// ---- timing ------------------------------------------------------------------------------------

export interface Timing {
  medianMs: number;
  samplesMs: number[];
  /**
   * In-process: this process's CPU time ÷ wall time over the timed calls (warmup included); below
   * ~0.9 the main thread did not get a whole core: other processes competed. Peers: the child's
   * CPU ÷ wall over its whole life (start-up and imports included), recorded but not flagged.
   */
  cpuPerWall?: number;
  /** 'tinybench p50' or 'self-timed by the peer'. */
  source: string;
  scale?: number;
}

/** Times fn with tinybench: `warmup` untimed calls, then exactly `samples` timed calls; p50 in ms. */
export async function timeInProcess<R>(name: string, fn: () => R | Promise<R>, samples: number, warmup: number, isAsync = false): Promise<{ timing: Timing; last: R }> {
  let last: R | undefined;
  const bench = new Bench({
    name,
    iterations: samples,
    time: 0,
    warmup: warmup > 0,
    warmupIterations: Math.max(warmup, 1),
    warmupTime: 0,
    retainSamples: true,
    throws: true,
  });
  // async set explicitly, so tinybench does not call fn once to detect whether it is async.
  if (isAsync) bench.add(name, async () => { last = await fn(); }, { async: true });
  else bench.add(name, () => { last = fn() as R; }, { async: false });
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await bench.run();
  const cpu = process.cpuUsage(cpu0);
  const cpuPerWall = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
  const task = bench.tasks[0]!;
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`tinybench task ${name} ended in state ${r.state}`);
  return {
    timing: {
      medianMs: r.latency.p50, samplesMs: Array.from(r.latency.samples ?? []), source: 'tinybench p50',
      cpuPerWall: Math.round(cpuPerWall * 100) / 100,
    },
    last: last as R,
  };
}

/** Runs fn `warmup` + `samples` times; the samples' times come from the results themselves (selfTimed). */
export async function timeSelf<R>(fn: () => R | Promise<R>, selfTimed: (r: R) => number[], samples: number, warmup: number): Promise<{ timing: Timing; last: R }> {
  let last: R | undefined;
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < warmup + samples; i++) {
    last = await fn();
    if (i >= warmup) times.push(...selfTimed(last));
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuPerWall = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
  if (times.length === 0) throw new Error('a self-timed run reported no times');
  return {
    timing: { medianMs: median(times), samplesMs: [...times].sort((a, b) => a - b), source: 'self-timed', cpuPerWall: Math.round(cpuPerWall * 100) / 100 },
    last: last as R,
  };
}

export function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const h = v.length >> 1;
  return v.length % 2 ? v[h]! : (v[h - 1]! + v[h]!) / 2;
}

// ---- Python peers ------------------------------------------------------------------------------

/** The one JSON line a peer prints (benchmarks/peers/_common.py, emit). */
export interface PeerReport {
  peer: string;
  version: string;
  workload: string;
  threads: number;
  blas: { corename: string | null; config: string | null; threads: number | null };
  times_ms: number[];
  median_ms: number;
  costs?: (number | null)[];
  b?: number | null;
  extra: Record<string, unknown>;
}

const moduleCache = new Map<string, { ok: boolean; version?: string; why?: string }>();

/** Whether /usr/bin/python3 can import `name`, and its version. */
export function pythonModule(name: string): { ok: boolean; version?: string; why?: string } {
  const cached = moduleCache.get(name);
  if (cached) return cached;
  let result: { ok: boolean; version?: string; why?: string };
  if (!existsSync(PYTHON)) {
    result = { ok: false, why: `${PYTHON} does not exist` };
  } else {
    const r = spawnSync(PYTHON, ['-c', `import ${name}; print(getattr(${name}, '__version__', '?'))`], { encoding: 'utf8', timeout: 120_000 });
    if (r.status === 0) result = { ok: true, version: r.stdout.trim() };
    else {
      const last = (r.stderr || r.error?.message || '').trim().split('\n').pop() ?? '';
      result = { ok: false, why: `${PYTHON} cannot import ${name}${last ? ` (${last})` : ''}` };
    }
  }
  moduleCache.set(name, result);
  return result;
}

/** Why a peer cannot run here, or null when it can. */
export function peerUnavailable(e: PeerEntry, config: BenchConfig): string | null {
  if (!config.peers) return 'peers disabled by --no-peers';
  const script = join(PEERS_DIR, e.script);
  if (!existsSync(script)) return `benchmarks/peers/${e.script} does not exist (yet)`;
  for (const m of e.modules) {
    const r = pythonModule(m);
    if (!r.ok) return r.why!;
  }
  return null;
}

/** The child's environment: thread counts, and OPENBLAS_CORETYPE as the entry asks. */
export function peerEnv(e: PeerEntry, blas: BlasInfo): { env: NodeJS.ProcessEnv; coretype: string | null } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  for (const v of ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']) env[v] = String(e.threads);
  Object.assign(env, e.env ?? {});
  let coretype: string | null = null;
  if (e.coretype === 'blasnet') {
    if (!blas.corename) throw new Error('cannot match OpenBLAS cores: blasnet\'s native backend is unavailable, so its core is unknown');
    coretype = blas.corename;
    env.OPENBLAS_CORETYPE = coretype;
  }
  return { env, coretype };
}

/** CPU seconds of this process's waited-for children (Linux /proc/self/stat cutime + cstime), or null. */
function childrenCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17, in clock ticks (100 Hz on Linux).
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

/**
 * Runs a peer (spec written to `out`/spec.json) and parses its one JSON line. `cpuPerWall` is the
 * child's CPU time ÷ its wall time, start-up and imports included (Linux only).
 */
export function runPeer(e: PeerEntry, ctx: WorkloadContext, out: string, warmup: number, repeats: number): { report: PeerReport; coretype: string | null; cpuPerWall: number | null } {
  mkdirSync(out, { recursive: true });
  const spec = { ...e.spec, threads: e.threads, repeats, warmup, dir: ctx.dir, out };
  const specPath = join(out, 'spec.json');
  writeFileSync(specPath, JSON.stringify(spec, null, 2));
  const { env, coretype } = peerEnv(e, ctx.machine.blas);
  const cpu0 = childrenCpuSeconds();
  const wall0 = performance.now();
  const r = spawnSync(PYTHON, [join(PEERS_DIR, e.script), ...(e.args ?? []), specPath], {
    env, encoding: 'utf8', timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024,
  });
  const wall = (performance.now() - wall0) / 1000;
  const cpu1 = childrenCpuSeconds();
  const cpuPerWall = cpu0 !== null && cpu1 !== null && wall > 0 ? Math.round(((cpu1 - cpu0) / wall) * 100) / 100 : null;
  if (r.error) throw new Error(`${e.script}: ${r.error.message}`);
  if (r.status !== 0) {
    const err = r.stderr.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${e.script} exited with status ${r.status ?? r.signal}: ${err}`);
  }
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1) throw new Error(`${e.script} printed ${lines.length} lines on stdout, expected exactly one JSON line`);
  let report: PeerReport;
  try {
    report = JSON.parse(lines[0]!) as PeerReport;
  } catch (err) {
    throw new Error(`${e.script} printed a line that is not JSON: ${(err as Error).message}`);
  }
  if (typeof report.median_ms !== 'number' || !Array.isArray(report.times_ms)) {
    throw new Error(`${e.script}: its JSON line has no median_ms / times_ms`);
  }
  return { report, coretype, cpuPerWall };
}

// ---- running a workload ------------------------------------------------------------------------

export interface Row {
  table: string;
  impl: string;
  threads: number;
  baseline: boolean;
  /** Present when the result was checked and timed. */
  timing?: Timing;
  check?: Check;
  /** The ratio to the baseline at the same thread count: > 1 means blasnet is faster. */
  ratio?: number;
  /** The OpenBLAS core the implementation ran (blasnet's own, or the one the peer reported). */
  core?: string | null;
  version?: string;
  notes: string[];
  /** Set when the row could not run: the reason. */
  skipped?: string;
  error?: string;
  /** A peer's check run time, ms (when a separate timing run followed). */
  checkRunMs?: number;
  /** In-process: the check of the last timed run (when it passed; `check` is the check run's). */
  checkTimed?: Check;
  /** Numbers derived from the median by the workload's `finish` (GFLOP/s, examples/s, …). */
  metrics?: Record<string, number>;
  /** More about the last timed run (an in-process entry's `report`). */
  details?: Record<string, unknown>;
  /** A peer's full report (its costs left out), for the JSON file. */
  peer?: Omit<PeerReport, 'costs'> & { coretype_env: string | null };
}

export interface WorkloadResult {
  schema: 1;
  workload: string;
  title: string;
  date: string;
  quick: boolean;
  params: Record<string, unknown>;
  data?: Record<string, unknown>;
  machine: MachineInfo;
  rows: Row[];
  /** Wall time of the whole workload, ms. */
  wallMs: number;
  /** os.loadavg() when the workload ended (machine.loadavg is from the start of the run). */
  loadavgEnd: number[];
  /** Display unit of the medians (they are stored in ms). */
  unit?: TimeUnit;
  /** Workload-wide derived numbers (from the workload's `finish`). */
  summary?: Record<string, unknown>;
  /** Printed after the tables. */
  summaryLines?: string[];
  /** The performance targets this workload measures (from its `finish`), gathered into one table by run.ts. */
  targets?: Target[];
}

/**
 * One performance target and what this run measured for it. `value` is the measured number
 * (null when the rows it needs did not run: then `met` is null too); `shown` is how it prints.
 */
export interface Target {
  workload: string;
  /** What is measured, e.g. 'W1 @1: numpy time ÷ blasnet time'. */
  target: string;
  /** The goal, e.g. '≥ 2.5'. */
  goal: string;
  value: number | null;
  shown: string;
  met: boolean | null;
}

/** A target met when value ≥ min (or ≤ max), with `fmt` for the printed value; null value → not measured. */
export function target(workload: string, what: string, value: number | null | undefined, bound: { min?: number; max?: number }, fmt: (v: number) => string = (v) => v.toFixed(2)): Target {
  const v = value === undefined || value === null || !Number.isFinite(value) ? null : value;
  const goal = bound.min !== undefined ? `≥ ${fmt(bound.min)}` : `≤ ${fmt(bound.max!)}`;
  const met = v === null ? null : bound.min !== undefined ? v >= bound.min : v <= bound.max!;
  return { workload, target: what, goal, value: v, shown: v === null ? 'not measured' : fmt(v), met };
}

/** The median of a main-table row (impl, threads), when it was timed and its check passed. */
export function rowMedian(result: WorkloadResult, impl: string, threads: number, table = 'main'): number | null {
  const r = result.rows.find((x) => x.impl === impl && x.threads === threads && x.table === table);
  return r?.timing && r.check?.ok !== false && !r.error ? r.timing.medianMs : null;
}

/** The targets table: one line per target with its goal, measured value and met / not met. */
export function formatTargets(targets: Target[]): string {
  const header = ['workload', 'target', 'goal', 'measured', 'met'];
  const body = targets.map((t) => [t.workload, t.target, t.goal, t.shown, t.met === null ? '—' : t.met ? 'met' : 'NOT MET']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** Writes benchmarks/results/<YYYY-MM-DD>-targets[-quick].json; returns the path. */
export function writeTargets(day: string, quick: boolean, machine: MachineInfo, targets: Target[]): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${day}-targets${quick ? '-quick' : ''}.json`);
  writeFileSync(file, JSON.stringify({ schema: 1, date: new Date().toISOString(), quick, machine, targets }, null, 2) + '\n');
  return file;
}

/**
 * Time budget per row for its timed runs, judged from the check run's time: sample and repeat
 * counts are cut to fit (never below one), so a pathologically slow configuration cannot stall
 * the whole suite.
 */
export const BUDGET_MS = 30_000;

function recordPeer(row: Row, report: PeerReport, coretype: string | null, e: PeerEntry): void {
  row.version = report.version;
  row.core = report.blas?.corename ?? null;
  const { costs: _costs, ...rest } = report;
  row.peer = { ...rest, coretype_env: coretype };
  const mismatch: string[] = [];
  if (coretype && row.core && row.core.toLowerCase() !== coretype.toLowerCase()) mismatch.push(`ran core ${row.core}, not ${coretype}`);
  if (report.blas?.threads != null && report.blas.threads !== e.threads) mismatch.push(`OpenBLAS reported ${report.blas.threads} threads`);
  for (const m of mismatch) if (!row.notes.includes(m)) row.notes.push(m);
}

async function runEntry(e: Entry, ctx: WorkloadContext, index: number): Promise<Row> {
  const row = await checkAndTime(e, ctx, index);
  if (row.timing && e.perCall && e.perCall > 1) {
    const k = e.perCall;
    row.timing = { ...row.timing, medianMs: row.timing.medianMs / k, samplesMs: row.timing.samplesMs.map((t) => t / k) };
    row.notes.push(`${k} calls per ${e.kind === 'peer' ? 'run' : 'sample'}`);
  }
  return row;
}

async function checkAndTime(e: Entry, ctx: WorkloadContext, index: number): Promise<Row> {
  const row: Row = {
    table: e.table ?? 'main', impl: e.impl, threads: e.threads, baseline: e.baseline === true, notes: [...(e.notes ?? [])],
  };
  const label = `${e.impl} @${e.threads}${row.table === 'main' ? '' : ` (${row.table})`}`;
  if (e.kind === 'skipped') {
    row.skipped = e.reason;
    return row;
  }
  try {
    if (e.kind === 'in-process') {
      row.core = e.blas === false ? null : ctx.machine.blas.corename ?? null;
      await e.setup?.();
      // 1. Check before timing: a wrong result gets no time.
      const t0 = performance.now();
      const result = e.precomputed !== undefined ? e.precomputed : await (e.checkRun ?? e.run)();
      const checkMs = performance.now() - t0;
      row.check = e.check(result);
      if (!row.check.ok) return row;
      // 2. Time with tinybench (samples cut to fit the budget, judged by the check run), then
      // check the last timed run as well.
      let samples = e.samples;
      if (e.precomputed === undefined && e.checkRun === undefined) {
        samples = Math.max(1, Math.min(e.samples, Math.floor((e.budgetMs ?? BUDGET_MS) / Math.max(checkMs, 1)) - e.warmup));
      }
      row.notes.push(`${e.warmup > 0 ? `${e.warmup} warmup + ` : ''}${samples} sample${samples > 1 ? 's' : ''}`);
      const { timing, last } = e.selfTimed
        ? await timeSelf(e.run, e.selfTimed, samples, e.warmup)
        : await timeInProcess(label, e.run, samples, e.warmup, e.async === true);
      const again = e.check(last);
      if (!again.ok) {
        row.check = { ...again, label: `${again.label} (in a timed run)` };
        return row;
      }
      row.checkTimed = again;
      if (e.report) {
        const rep = e.report(last);
        if (rep.metrics) row.metrics = { ...row.metrics, ...rep.metrics };
        if (rep.notes) row.notes.push(...rep.notes);
        if (rep.details) row.details = { ...row.details, ...rep.details };
      }
      if (e.showTimedCheck && again.label !== row.check.label) row.check = { ...row.check, label: `${row.check.label}; timed: ${again.label}` };
      row.timing = e.scale ? { ...timing, medianMs: timing.medianMs * e.scale, scale: e.scale } : timing;
      if (timing.cpuPerWall !== undefined && timing.cpuPerWall < 0.9) row.notes.push(`contended: CPU/wall ${timing.cpuPerWall.toFixed(2)}`);
    } else {
      const why = peerUnavailable(e, ctx.config);
      if (why) {
        row.skipped = why;
        return row;
      }
      // 1. The check run: one cold run in a fresh child; a wrong result gets no time.
      for (const [k, v] of Object.entries(e.env ?? {})) row.notes.push(`${k}=${v}`);
      const out = join(ctx.dir, `out-${index}-${e.impl}-t${e.threads}-${e.coretype}`);
      const first = runPeer(e, ctx, out, 0, 1);
      recordPeer(row, first.report, first.coretype, e);
      row.check = e.check(first.report, out);
      if (!row.check.ok) return row;
      const firstMs = first.report.median_ms;
      if (e.repeats <= 1 && e.warmup <= 0) {
        row.notes.push('1 cold run');
        row.timing = { medianMs: firstMs, samplesMs: first.report.times_ms, source: 'self-timed by the peer' };
        if (first.cpuPerWall !== null) row.timing.cpuPerWall = first.cpuPerWall;
        return row;
      }
      // 2. The timing run: as many repeats as the entry asks for and the time budget allows.
      const budget = e.budgetMs ?? BUDGET_MS;
      const repeats = Math.min(e.repeats, Math.floor(budget / Math.max(firstMs, 1)) - e.warmup);
      if (repeats < 1) {
        row.notes.push(`1 cold run only: ${fmtMs(firstMs)} ms leaves no room for more in ${budget / 1000} s`);
        row.timing = { medianMs: firstMs, samplesMs: first.report.times_ms, source: 'self-timed by the peer' };
        return row;
      }
      const outTimed = `${out}-timed`;
      const timed = runPeer(e, ctx, outTimed, e.warmup, repeats);
      recordPeer(row, timed.report, timed.coretype, e);
      const again = e.check(timed.report, outTimed);
      if (!again.ok) {
        row.check = { ...again, label: `${again.label} (in the timing run)` };
        return row;
      }
      row.notes.push(`${e.warmup > 0 ? `${e.warmup} warmup + ` : ''}${repeats} run${repeats > 1 ? 's' : ''}`);
      row.timing = { medianMs: timed.report.median_ms, samplesMs: timed.report.times_ms, source: 'self-timed by the peer' };
      if (timed.cpuPerWall !== null) row.timing.cpuPerWall = timed.cpuPerWall;
      row.checkRunMs = firstMs;
    }
  } catch (err) {
    row.error = (err as Error).message;
  } finally {
    if (e.kind === 'in-process') {
      try {
        e.teardown?.();
      } catch (err) {
        row.error ??= `teardown: ${(err as Error).message}`;
      }
    }
  }
  return row;
}

/** Runs every entry (in order), then fills in the ratios. */
export async function runWorkload(w: Workload, ctx: WorkloadContext): Promise<WorkloadResult> {
  const t0 = performance.now();
  const rows: Row[] = [];
  try {
    // BLASNET_BENCH_IMPL (a regular expression): only the rows whose implementation matches run, the
    // others are listed as skipped (an A/B of one implementation across builds, benchmarks/README.md).
    const only = process.env.BLASNET_BENCH_IMPL ? new RegExp(process.env.BLASNET_BENCH_IMPL) : null;
    const entries = (await w.prepare(ctx)).map((e): Entry => (!only || only.test(e.impl) || e.kind === 'skipped' ? e
      : { kind: 'skipped', impl: e.impl, threads: e.threads, ...(e.table ? { table: e.table } : {}), reason: `BLASNET_BENCH_IMPL=${process.env.BLASNET_BENCH_IMPL}` }));
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const t = performance.now();
      const row = await runEntry(e, ctx, i);
      rows.push(row);
      const what = row.skipped ? `skipped: ${row.skipped}`
        : row.error ? `ERROR: ${row.error}`
          : row.timing ? `${fmtTime(row.timing.medianMs, w.unit)} ${w.unit ?? 'ms'}, check ${row.check?.label}`
            : `check ${row.check?.label}`;
      ctx.log(`  ${e.impl} @${e.threads}${row.table === 'main' ? '' : ` [${row.table}]`}: ${what}  (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    }
  } finally {
    w.cleanup?.();
  }
  for (const r of rows) {
    // The baseline of the row's own table when it has one (W7: one table per data set), else any.
    const base = rows.find((b) => b.baseline && b.threads === r.threads && b.table === r.table && b.timing)
      ?? rows.find((b) => b.baseline && b.threads === r.threads && b.timing);
    if (base && r.timing) r.ratio = r.timing.medianMs / base.timing!.medianMs;
  }
  const result: WorkloadResult = {
    schema: 1,
    workload: w.id,
    title: titleOf(w, ctx.config),
    date: new Date().toISOString(),
    quick: ctx.config.quick,
    params: w.params(ctx.config),
    ...(w.dataInfo ? { data: w.dataInfo() } : {}),
    machine: ctx.machine,
    rows,
    wallMs: Math.round(performance.now() - t0),
    loadavgEnd: os.loadavg().map((x) => Math.round(x * 100) / 100),
    ...(w.unit ? { unit: w.unit } : {}),
  };
  if (w.finish) {
    try {
      w.finish(result);
    } catch (err) {
      (result.summaryLines ??= []).push(`finish failed: ${(err as Error).message}`);
    }
  }
  return result;
}

// ---- output ------------------------------------------------------------------------------------

export type TimeUnit = 'ms' | 'µs' | 's';

/** A time in the result's display unit. */
export function fmtTime(ms: number, unit: TimeUnit = 'ms'): string {
  return fmtMs(unit === 'µs' ? ms * 1000 : unit === 's' ? ms / 1000 : ms);
}

export function fmtMs(ms: number): string {
  if (ms >= 1000) return ms.toFixed(0);
  if (ms >= 100) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toPrecision(3);
}

/** The printed tables (one per `table` value, 'main' first), as Markdown-compatible text. */
export function formatTables(result: WorkloadResult): string {
  const tables = [...new Set(result.rows.map((r) => r.table))].sort((a, b) => (a === 'main' ? -1 : b === 'main' ? 1 : 0));
  const out: string[] = [];
  for (const t of tables) {
    const rows = result.rows.filter((r) => r.table === t && !r.skipped);
    if (rows.length === 0) continue;
    out.push(t === 'main' ? `${result.workload}: ${result.title}` : `${result.workload}, ${t}:`);
    const unit = result.unit ?? 'ms';
    const header = ['implementation', 'threads', `median ${unit}`, 'ratio', 'check', 'BLAS core', 'notes'];
    const body = rows.map((r) => [
      r.impl + (r.version ? ` ${r.version}` : ''),
      String(r.threads),
      r.error ? 'ERROR' : r.check && !r.check.ok ? 'WRONG' : r.timing ? fmtTime(r.timing.medianMs, unit) + (r.timing.scale ? '*' : '') : '—',
      r.ratio !== undefined ? r.ratio.toFixed(2) : '—',
      r.error ? `ERROR: ${r.error}` : r.check?.label ?? '—',
      r.core ?? '—',
      [...(r.timing?.source === 'self-timed by the peer' || r.timing?.source === 'self-timed' ? ['self-timed'] : []), ...r.notes].join('; '),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 1 || i === 2 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
    out.push(line(header));
    out.push(`|${widths.map((w, i) => (i === 1 || i === 2 || i === 3 ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`);
    for (const b of body) out.push(line(b));
    out.push('');
  }
  const skipped = result.rows.filter((r) => r.skipped);
  for (const r of skipped) out.push(`skipped ${r.impl} @${r.threads}${r.table === 'main' ? '' : ` (${r.table})`}: ${r.skipped}`);
  if (result.rows.some((r) => r.timing?.scale)) out.push('* timed on fewer iterations (or examples) and scaled (see notes)');
  out.push('ratio = median / blasnet-native median at the same thread count (> 1: blasnet-native is faster).');
  for (const l of result.summaryLines ?? []) out.push(l);
  return out.join('\n');
}

/** Writes benchmarks/results/<YYYY-MM-DD>-<workload>[-quick].json; returns the path. */
export function writeResult(result: WorkloadResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const day = result.date.slice(0, 10);
  const file = join(RESULTS_DIR, `${day}-${result.workload}${result.quick ? '-quick' : ''}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

// ---- chart ----------------------------------------------------------------------------------------

interface ChartBar {
  label: string;
  /** Time ÷ blasnet-native's time at the same thread count; undefined when there is none. */
  ratio?: number;
  baseline: boolean;
  /** Shown in the right-hand column. */
  text: string;
  bad: boolean;
}

interface ChartGroup {
  title: string;
  bars: ChartBar[];
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

function fmtRatio(r: number): string {
  return r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toPrecision(2);
}

function chartGroup(result: WorkloadResult): ChartGroup {
  const unit = result.unit ?? 'ms';
  const bars: ChartBar[] = [];
  for (const r of result.rows) {
    if (r.skipped) continue;
    // a table's short name: its title up to the first ':' or '('
    const table = r.table === 'main' ? '' : ` · ${truncate(r.table.split(/[:(]/)[0]!.trim(), 34)}`;
    const label = `${r.impl}${r.version ? ` ${r.version}` : ''} @${r.threads}${table}`;
    if (r.error) bars.push({ label, baseline: false, text: 'ERROR', bad: true });
    else if (r.check && !r.check.ok) bars.push({ label, baseline: false, text: 'WRONG', bad: true });
    else if (r.timing) {
      const time = `${fmtTime(r.timing.medianMs, unit)} ${unit}${r.timing.scale ? '*' : ''}`;
      const text = r.ratio === undefined ? `${time} (no native row at ${r.threads} threads)` : r.baseline ? `1 · ${time}` : `×${fmtRatio(r.ratio)} · ${time}`;
      bars.push({ label, ...(r.ratio !== undefined ? { ratio: r.ratio } : {}), baseline: r.baseline, text, bad: false });
    }
  }
  return { title: `${result.workload}: ${result.title}${result.quick ? ' [--quick]' : ''}`, bars };
}

/**
 * One horizontal bar group per workload: each implementation's time relative to blasnet-native at
 * the same thread count, on a log scale around 1 (bars to the left: faster than blasnet-native; to
 * the right: slower). Plain SVG text, no dependency.
 */
export function svgChart(groups: ChartGroup[], heading: string): string {
  const W = 1000, labelX = 10, x0 = 350, x1 = 780, textX = 792;
  const rowH = 18, groupHead = 26, groupGap = 14, top = 66;
  const ratios = groups.flatMap((g) => g.bars.map((b) => b.ratio).filter((r): r is number => r !== undefined && r > 0));
  let lo = Math.min(0.1, 10 ** Math.floor(Math.log10(Math.min(1, ...ratios))));
  let hi = Math.max(10, 10 ** Math.ceil(Math.log10(Math.max(1, ...ratios))));
  if (!(hi > lo)) { lo = 0.1; hi = 10; }
  const x = (r: number) => x0 + ((Math.log10(r) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (x1 - x0);
  const height = top + groups.reduce((h, g) => h + groupHead + g.bars.length * rowH + groupGap, 0) + 56;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${labelX}" y="22" font-size="15" font-weight="bold">${escapeXml(truncate(heading, 130))}</text>`);
  out.push(`<text x="${labelX}" y="40" fill="#555">time ÷ blasnet-native's time at the same thread count (log scale): left of 1× is faster than blasnet-native, right is slower</text>`);
  // axis labels above and below; grid lines per group (so they do not run through the group titles)
  const gridBottom = height - 56;
  const ticks: { r: number; major: boolean }[] = [];
  for (let e = Math.round(Math.log10(lo)); e <= Math.round(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const r = m * 10 ** e;
      if (r >= lo * 0.999 && r <= hi * 1.001) ticks.push({ r, major: m === 1 });
    }
  }
  for (const { r, major } of ticks) {
    if (!major) continue;
    const t = `${r >= 1 ? r.toFixed(0) : r.toPrecision(1)}×`;
    out.push(`<text x="${x(r).toFixed(1)}" y="${top - 12}" text-anchor="middle" fill="#555">${t}</text>`);
    out.push(`<text x="${x(r).toFixed(1)}" y="${gridBottom + 14}" text-anchor="middle" fill="#555">${t}</text>`);
  }
  const grid = (y1: number, y2: number) => {
    for (const { r, major } of ticks) {
      const xr = x(r).toFixed(1);
      out.push(`<line x1="${xr}" y1="${y1}" x2="${xr}" y2="${y2}" stroke="${major ? '#ccc' : '#eee'}"${major ? '' : ' stroke-dasharray="2,3"'}/>`);
    }
    out.push(`<line x1="${x(1).toFixed(1)}" y1="${y1}" x2="${x(1).toFixed(1)}" y2="${y2}" stroke="#333" stroke-width="1.5"/>`);
  };
  let y = top;
  for (const g of groups) {
    out.push(`<text x="${labelX}" y="${y + 17}" font-weight="bold">${escapeXml(truncate(g.title, 140))}</text>`);
    y += groupHead;
    grid(y, y + g.bars.length * rowH);
    for (const b of g.bars) {
      const cy = y + rowH / 2;
      out.push(`<text x="${labelX + 8}" y="${(cy + 4).toFixed(1)}">${escapeXml(truncate(b.label, 52))}</text>`);
      if (b.ratio !== undefined && !b.bad) {
        if (b.baseline) {
          out.push(`<rect x="${(x(b.ratio) - 2).toFixed(1)}" y="${y + 3}" width="4" height="${rowH - 6}" fill="#37474f"/>`);
        } else {
          const a = Math.min(x(1), x(b.ratio)), w = Math.max(2, Math.abs(x(b.ratio) - x(1)));
          const fill = b.ratio < 1 ? '#2e7d32' : '#e65100';
          out.push(`<rect x="${a.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${fill}" fill-opacity="0.8"/>`);
        }
      }
      out.push(`<text x="${textX}" y="${(cy + 4).toFixed(1)}"${b.bad ? ' fill="#b71c1c" font-weight="bold"' : ''}>${escapeXml(b.text)}</text>`);
      y += rowH;
    }
    y += groupGap;
  }
  out.push(`<text x="${labelX}" y="${height - 24}" fill="#555">dark mark: blasnet-native (the baseline); green bar: faster than it; orange bar: slower. Right column: ratio · median time.</text>`);
  out.push(`<text x="${labelX}" y="${height - 8}" fill="#555">* timed on fewer iterations or examples and scaled. WRONG / ERROR rows failed their check or threw, and have no time.</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The chart of one workload's result (written next to its JSON file by run.ts). */
export function renderChart(result: WorkloadResult): string | null {
  const g = chartGroup(result);
  if (g.bars.length === 0) return null;
  return svgChart([g], `blasnet benchmarks ${result.date.slice(0, 10)}: ${result.workload} — ${result.machine.cpuModel}, ${result.machine.cores} cores`);
}

/**
 * The chart of every workload saved on `day` in this mode (benchmarks/results/<day>-W*.json, or
 * -quick), one group per workload: <day>-summary[-quick].svg. Returns its path, or null.
 */
export function writeSummaryChart(day: string, quick: boolean): string | null {
  const pattern = new RegExp(`^${day}-(W\\d+)${quick ? '-quick' : ''}\\.json$`);
  const results: WorkloadResult[] = [];
  for (const f of readdirSync(RESULTS_DIR)) {
    if (!pattern.test(f)) continue;
    try {
      results.push(JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8')) as WorkloadResult);
    } catch {
      // not a result file we can read; leave it out
    }
  }
  if (results.length === 0) return null;
  const num = (r: WorkloadResult) => Number(/\d+/.exec(r.workload)?.[0] ?? Infinity);
  results.sort((a, b) => num(a) - num(b));
  const groups = results.map(chartGroup).filter((g) => g.bars.length > 0);
  if (groups.length === 0) return null;
  const m = results[0]!.machine;
  const file = join(RESULTS_DIR, `${day}-summary${quick ? '-quick' : ''}.svg`);
  writeFileSync(file, svgChart(groups, `blasnet benchmarks ${day}${quick ? ' (--quick)' : ''} — ${m.cpuModel}, ${m.cores} cores, OpenBLAS ${m.blas.version ?? '?'} ${m.blas.corename ?? ''}`));
  return file;
}
