#!/usr/bin/env node
// The `blasnet` command's entry point: runs the compiled CLI (dist/lib/cli/main.js, built from
// lib/cli/*.ts by `npm run build:ts`). Only this shim lives outside TypeScript. The library's
// warnings (a category not seen in training, …) become one `blasnet: warning: …` line on stderr;
// a closed stdout (`blasnet predict … | head -1`) ends the command quietly with status 0 (main's Sink).
let cli;
try {
  cli = await import('../dist/lib/cli/main.js');
} catch (e) {
  process.stderr.write(`blasnet: cannot load the compiled CLI (dist/lib/cli/main.js): ${e.message}; run \`npm run build:ts\`\n`);
  process.exit(70);
}
cli.routeWarnings(process.stderr);
process.exitCode = await cli.main(process.argv.slice(2));
