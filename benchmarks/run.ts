// The benchmark runner: `npm run bench [-- --quick] [-- --only W1,W2]`.
// Workloads are discovered, not listed: every compiled file next to this one named
// wN-<name>.js (from benchmarks/wN-<name>.ts) that exports `workload` is one.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  formatTables, formatTargets, machineInfo, machineLine, renderChart, runWorkload, titleOf, writeResult, writeSummaryChart, writeTargets, type BenchConfig, type Target, type Workload,
} from './common.js';

const HELP = `usage: npm run bench -- [options]        (node dist/benchmarks/run.js [options])

  --quick         fewer samples and cheaper slow paths: the whole run in well under a minute
  --only W1,W2    run only these workloads (comma-separated ids, case-insensitive)
  --no-peers      do not run the Python peers (numpy, torch)
  --keep          keep the temporary folder with the peers' inputs and outputs
  --help          this text

Results: benchmarks/results/<YYYY-MM-DD>-<workload>[-quick].json. See benchmarks/README.md.`;

const OPTIONS = {
  quick: { type: 'boolean', default: false },
  only: { type: 'string' },
  'no-peers': { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const WORKLOAD_FILE = /^w(\d+)-[\w-]+\.js$/;

async function discoverWorkloads(): Promise<Workload[]> {
  const here = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(here).filter((f) => WORKLOAD_FILE.test(f));
  const found: Workload[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as { workload?: Workload };
    if (!mod.workload) throw new Error(`benchmarks: ${f} does not export \`workload\``);
    found.push(mod.workload);
  }
  const num = (w: Workload) => Number(/\d+/.exec(w.id)?.[0] ?? Infinity);
  found.sort((a, b) => num(a) - num(b) || a.id.localeCompare(b.id));
  const ids = new Set<string>();
  for (const w of found) {
    if (ids.has(w.id.toUpperCase())) throw new Error(`benchmarks: two workloads have the id ${w.id}`);
    ids.add(w.id.toUpperCase());
  }
  return found;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const config: BenchConfig = { quick: values.quick === true, peers: values['no-peers'] !== true, keep: values.keep === true };

  const all = await discoverWorkloads();
  let selected = all;
  if (values.only !== undefined) {
    const wanted = values.only.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    const unknown = wanted.filter((id) => !all.some((w) => w.id.toUpperCase() === id));
    if (unknown.length > 0) {
      console.error(`unknown workload ${unknown.join(', ')}; known: ${all.map((w) => w.id).join(', ')}`);
      return 2;
    }
    selected = all.filter((w) => wanted.includes(w.id.toUpperCase()));
  }

  const machine = machineInfo();
  console.log(machineLine(machine));
  if (machine.loadavg[0]! > 0.5) {
    console.log(`note: the 1-minute load average is ${machine.loadavg[0]}: other processes are running, expect noisier times`);
  }
  console.log(`mode: ${config.quick ? 'quick' : 'full'}; workloads: ${selected.map((w) => w.id).join(', ')}\n`);

  let failed = false;
  let day: string | null = null;
  const targets: Target[] = [];
  for (const w of selected) {
    const dir = mkdtempSync(join(os.tmpdir(), `blasnet-bench-${w.id}-`));
    try {
      console.log(`${w.id}: ${titleOf(w, config)}`);
      const result = await runWorkload(w, { config, machine, dir, log: (l) => console.log(l) });
      console.log('\n' + formatTables(result));
      const file = writeResult(result);
      console.log(`results: ${file}  (${(result.wallMs / 1000).toFixed(1)} s; load average at the end ${result.loadavgEnd.join(' ')})`);
      // The workload's own chart, next to its JSON file (same name, .svg).
      const svg = renderChart(result);
      if (svg !== null) writeFileSync(file.replace(/\.json$/, '.svg'), svg);
      day = result.date.slice(0, 10);
      targets.push(...(result.targets ?? []));
      if (result.rows.some((r) => r.error || (r.check && !r.check.ok))) failed = true;
    } finally {
      if (config.keep) console.log(`kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
    console.log('');
  }
  // The targets of every workload that ran, in one table (and one JSON file).
  if (day !== null && targets.length > 0) {
    console.log(`targets${config.quick ? ' (quick sizes and few samples: not the figures to quote)' : ''}:`);
    console.log(formatTargets(targets));
    const met = targets.filter((t) => t.met === true).length;
    console.log(`${met} of ${targets.length} met; written to ${writeTargets(day, config.quick, machine, targets)}\n`);
  }
  // One chart of every workload saved today in this mode (this run's and earlier runs' results).
  if (day !== null) {
    const chart = writeSummaryChart(day, config.quick);
    if (chart) console.log(`chart: ${chart}`);
  }
  return failed ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exitCode = 1;
});
