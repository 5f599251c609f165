#!/usr/bin/env node
// The `blasnet` command's entry point: runs the compiled CLI (dist/lib/cli/main.js, built from
// lib/cli/*.ts by `npm run build:ts`). Only this shim lives outside TypeScript.
let cli;
try {
  cli = await import('../dist/lib/cli/main.js');
} catch (e) {
  process.stderr.write(`blasnet: cannot load the compiled CLI (dist/lib/cli/main.js): ${e.message}; run \`npm run build:ts\`\n`);
  process.exit(70);
}
process.exitCode = await cli.main(process.argv.slice(2));
