#!/usr/bin/env node
/**
 * Bundles the terminal client (src/cli/main.ts and what it imports: the
 * shared client and protocol modules, and their one dependency) into one
 * plain JavaScript file, dist/cli/parley.mjs, which bin/parley.mjs runs.
 * Node will not strip types from .ts files inside node_modules, so an
 * installed package needs this JavaScript; `prepare` runs it on `npm
 * install`, `npm pack` and installs from git.
 *
 *   node scripts/build-cli.mjs [--outfile PATH]
 *
 * Plain JavaScript on purpose: it must run under whatever `node` is on PATH.
 */
import { build } from "esbuild";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { outfile: { type: "string" } } });
const outfile = resolve(values.outfile ?? join(ROOT, "dist/cli/parley.mjs"));

await build({
  absWorkingDir: ROOT,
  entryPoints: ["src/cli/main.ts"],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  // package.json engines: Node 22.12 or newer (global WebSocket, require(esm)).
  target: "node22.12",
  // Node's own modules stay imports (platform "node"); the rest (valibot, for
  // the protocol's schemas) is bundled, so the file runs without node_modules.
  logLevel: "warning",
  legalComments: "none",
});
console.log(`built ${outfile.startsWith(ROOT) ? outfile.slice(ROOT.length + 1) : outfile}`);
