#!/usr/bin/env node
// Reads the symbol versions every packed prebuild needs (`objdump -T`, the matching objdump for each
// ELF machine) and fails when any is newer than the floor blasnet promises: Debian 11 / Ubuntu 20.04,
// i.e. glibc 2.31 and GCC 10's libstdc++ (GLIBCXX_3.4.28, CXXABI_1.3.12) and libgcc_s (GCC_10.0).
//   node scripts/check-glibc-floor.mjs                       prebuilds/*/blasnet.node
//   node scripts/check-glibc-floor.mjs --tarball x.tgz       the prebuilds inside an npm tarball
//   node scripts/check-glibc-floor.mjs --require linux-x64,linux-arm64 [files…]
// --require: those prebuilds must be there. Exits 1 above the floor, on a missing prebuild, or when no
// objdump can read a file (never a silent pass).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const FLOOR = { GLIBC: '2.31', GLIBCXX: '3.4.28', CXXABI: '1.3.12', GCC: '10.0' };
const MACHINES = { 62: { name: 'x86-64', objdump: ['objdump', 'x86_64-linux-gnu-objdump'] },
  183: { name: 'aarch64', objdump: ['aarch64-linux-gnu-objdump', 'objdump'] } };

const argv = process.argv.slice(2);
const opt = (name) => { const k = argv.indexOf(name); return k >= 0 ? argv.splice(k, 2)[1] : undefined; };
const tarball = opt('--tarball');
const required = (opt('--require') ?? '').split(',').filter(Boolean);
const errors = [];
let tmp = null;

function cmp(a, b) {
  const x = a.split('.').map(Number), y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** [{ file, target }] to check. */
function targets() {
  if (tarball) {
    tmp = mkdtempSync(join(tmpdir(), 'blasnet-floor-'));
    const r = spawnSync('tar', ['-xzf', tarball, '-C', tmp, '--wildcards', 'package/prebuilds/*'], { encoding: 'utf8' });
    if (r.status !== 0) errors.push(`cannot read the prebuilds of ${tarball}: ${r.stderr.trim() || 'none in it'}`);
  }
  const dir = tmp ? join(tmp, 'package', 'prebuilds') : join(root, 'prebuilds');
  if (argv.length) return argv.map((f) => ({ file: f, target: basename(dirname(f)) }));
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((t) => existsSync(join(dir, t, 'blasnet.node'))).map((t) => ({ file: join(dir, t, 'blasnet.node'), target: t }));
}

function objdumpFor(file) {
  const head = readFileSync(file).subarray(0, 20);
  if (head.readUInt32BE(0) !== 0x7f454c46) return { error: 'not an ELF file' };
  const m = MACHINES[head.readUInt16LE(18)];
  if (!m) return { error: `ELF machine ${head.readUInt16LE(18)} is not one blasnet builds for` };
  for (const tool of m.objdump) {
    const r = spawnSync(tool, ['-T', file], { encoding: 'utf8' });
    if (r.status === 0 && /DYNAMIC SYMBOL TABLE/.test(r.stdout)) {
      const p = spawnSync(tool, ['-p', file], { encoding: 'utf8' });
      return { machine: m.name, tool, symbols: r.stdout, needed: [...(p.stdout ?? '').matchAll(/NEEDED\s+(\S+)/g)].map((x) => x[1]) };
    }
  }
  return { error: `no objdump here reads ${m.name} (tried ${m.objdump.join(', ')}): on Debian, apt-get install ${m.name === 'aarch64' ? 'binutils-aarch64-linux-gnu' : 'binutils'}` };
}

const list = targets();
for (const t of required) if (!list.some((x) => x.target === t)) errors.push(`no prebuild for ${t}${tarball ? ` in ${tarball}` : ''}`);
if (list.length === 0) errors.push('no prebuild to check');
for (const { file, target } of list) {
  const shown = tmp ? `${basename(tarball)}:${relative(tmp, file)}` : relative(root, file);
  const d = objdumpFor(file);
  if (d.error) { errors.push(`${shown}: ${d.error}`); continue; }
  const parts = [];
  for (const [lib, floor] of Object.entries(FLOOR)) {
    const versions = [...new Set([...d.symbols.matchAll(new RegExp(`\\b${lib}_([0-9][0-9.]*)`, 'g'))].map((x) => x[1]))].sort(cmp);
    const newest = versions.at(-1);
    if (!newest) { parts.push(`${lib} none`); continue; }
    const over = versions.filter((v) => cmp(v, floor) > 0);
    parts.push(`${lib}_${newest}${over.length ? ' ABOVE' : ' ≤'} ${floor}`);
    if (over.length) {
      const syms = d.symbols.split('\n').filter((l) => over.some((v) => l.includes(`${lib}_${v}`))).map((l) => l.trim().split(/\s+/).slice(-2).join(' '));
      errors.push(`${shown} needs ${over.map((v) => `${lib}_${v}`).join(', ')}, above the floor ${lib}_${floor}: ${syms.slice(0, 8).join('; ')}`);
    }
  }
  process.stdout.write(`check-glibc-floor: ${shown} (${target}, ${d.machine}, ${(statSync(file).size / 1024).toFixed(0)} KiB): ${parts.join(', ')}; NEEDED ${d.needed.join(' ')}\n`);
}
if (tmp) rmSync(tmp, { recursive: true, force: true });
if (errors.length) {
  process.stderr.write(errors.map((e) => `check-glibc-floor: FAIL: ${e}\n`).join(''));
  process.exit(1);
}
process.stdout.write(`check-glibc-floor: OK, ${list.length} prebuild(s) within glibc ${FLOOR.GLIBC}, GLIBCXX ${FLOOR.GLIBCXX}, CXXABI ${FLOOR.CXXABI}, GCC ${FLOOR.GCC}\n`);
