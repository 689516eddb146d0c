#!/usr/bin/env node
// The package's `parley` command: runs the terminal client, bundled into
// dist/cli/parley.mjs by `npm run build:cli` (which `prepare` runs on npm
// install, npm pack and installs from git). From a clone, `npm run chat --`
// runs the TypeScript source directly instead. (The client itself says so
// when the Node.js running it is too old to chat.)
const bundle = new URL("../dist/cli/parley.mjs", import.meta.url);
try {
  await import(bundle.href);
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes(bundle.pathname)) {
    process.stderr.write("parley: the terminal client is not built yet; run `npm run build:cli` in the package\n");
    process.exit(1);
  }
  throw error;
}
