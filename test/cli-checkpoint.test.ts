// `blasnet train --checkpoint` and `--resume`: a training process killed with SIGKILL after its k-th
// checkpoint, resumed from that checkpoint with the same data and options, ends with the parameters
// and training state of an uninterrupted run, bit for bit (same machine, backend and threads).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../lib/index.js';
import { mulberry32 } from './helpers/data.js';
import { BIN, runCli } from './helpers/cli.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blasnet-cli-ckpt-'));
  const r = mulberry32(7);
  const lines = ['id,colour,a,b,c,d,y'];
  for (let i = 0; i < 40_000; i++) {
    const a = r() * 2 - 1, b = r() * 2 - 1, c = r(), d = r();
    const colour = ['red', 'green', 'blue'][Math.floor(r() * 3)]!;
    lines.push(`i${i},${colour},${i % 50 === 0 ? 'NA' : a.toFixed(5)},${b.toFixed(5)},${c.toFixed(5)},${d.toFixed(5)},${a * b + c - d + (colour === 'red' ? 0.3 : 0) > 0 ? 'up' : 'down'}`);
  }
  writeFileSync(join(dir, 'data.csv'), `${lines.join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTIONS = ['--target', 'y', '--ignore', 'id', '--layers', '48', '--batch-size', '16', '--seed', '5', '--validation', '0.1'];

describe('train --checkpoint, SIGKILL, train --resume', () => {
  it('resumes from the k-th checkpoint to the uninterrupted run\'s parameters and state, bit for bit', async () => {
    const full = runCli(dir, ['train', 'data.csv', ...OPTIONS, '--epochs', '8', '--out', 'full.json'], 300_000);
    expect(full.code, full.stderr).toBe(0);

    // The same run with a checkpoint every epoch, killed once the checkpoint of epoch 3 is on disk.
    const child = spawn(process.execPath, [BIN, 'train', 'data.csv', ...OPTIONS, '--epochs', '8', '--checkpoint', 'ckpt.json', '--out', 'never.json'], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.on('exit', (code, signal) => ok({ code, signal })));
    const ckpt = join(dir, 'ckpt.json');
    let seen = 0;
    for (let t = 0; t < 3000 && seen < 3; t++) {
      await new Promise((ok) => setTimeout(ok, 20));
      if (existsSync(ckpt)) {
        try {
          seen = (await loadModel(ckpt)).epochsTrained;
        } catch {
          // a checkpoint is replaced atomically: a read never sees half of one; retry on a race with the rename
        }
      }
    }
    child.kill('SIGKILL');
    const end = await exited;
    expect(seen).toBeGreaterThanOrEqual(3);
    // It was killed before it finished (else the test would prove nothing about resuming).
    expect(end.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'never.json'))).toBe(false);
    const k = (await loadModel(ckpt)).epochsTrained;
    expect(k).toBeLessThan(8);

    const resumed = runCli(dir, ['train', 'data.csv', ...OPTIONS, '--epochs', '8', '--resume', 'ckpt.json', '--out', 'resumed.json'], 300_000);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`resumed: ckpt\\.json has trained ${k} epochs; ${8 - k} to go`));
    const a = (await loadModel(join(dir, 'full.json'))).toJSON(), b = (await loadModel(join(dir, 'resumed.json'))).toJSON();
    expect(b.parameters).toEqual(a.parameters);
    expect(b.training).toEqual(a.training);
    console.info(`cli checkpoint: killed after the checkpoint of epoch ${k} of 8; resumed to the uninterrupted run's parameters and state, bit for bit`);
  });

  it('refuses to resume a model the options would not build', () => {
    expect(runCli(dir, ['train', 'data.csv', ...OPTIONS, '--epochs', '1', '--out', 'one.json']).code).toBe(0);
    const r = runCli(dir, ['train', 'data.csv', ...OPTIONS.map((v) => (v === '48' ? '12' : v)), '--epochs', '2', '--resume', 'one.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot resume from one\.json: it holds a network \d+-48-1 \(tanh, sigmoid; loss cross-entropy\), and these options build a network \d+-12-1/);
  });
});
