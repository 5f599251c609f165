// Where the package is installed: the one place that walks up to blasnet's own package.json. Imports
// nothing of blasnet but its errors, so both backends (the addon loader, the reference pool) and the
// model format can use it without depending on each other.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blasnetError } from './errors.js';

/**
 * The package root: the nearest folder above this file whose package.json is blasnet's.
 * @returns its absolute path
 * @throws {BlasnetError} ERR_BLASNET_IO when no such folder exists (a broken installation)
 * @example join(packageRoot(), 'package.json')
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'blasnet') return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw blasnetError('ERR_BLASNET_IO', `blasnet cannot find its own package.json in any folder above ${JSON.stringify(dirname(fileURLToPath(import.meta.url)))}: the installation is incomplete`);
    }
    dir = parent;
  }
}
