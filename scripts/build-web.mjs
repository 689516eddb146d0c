#!/usr/bin/env node
/**
 * Builds the browser client (src/web) into public/build/: app.js and app.css.
 *
 * wrangler runs this as the `[build]` command on every `wrangler dev` and
 * `wrangler deploy`, and `npm test` starts several `wrangler dev` at once.
 * Each of them reloads (dropping every WebSocket) when a file under public/
 * changes, so this build must never touch public/ unless the output really
 * changed:
 *   - the output is deterministic (no timestamps, hashes or absolute paths);
 *   - a file is written only when its bytes differ, through a temp file kept
 *     outside public/ and renamed into place, so no server sees half a file
 *     or a temp file appear;
 *   - concurrent builds take turns (a lock directory), so a second build
 *     finds the first one's output and writes nothing.
 *
 * It prints the gzipped size of JS + CSS and fails above the budget.
 * Plain JavaScript on purpose: it must run under whatever `node` is on PATH.
 */
import { build } from "esbuild";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT_DIR = join(ROOT, "public/build");
// Same filesystem as public/ (rename must not cross devices), ignored by git and by wrangler's watchers.
const WORK_DIR = join(ROOT, "node_modules/.cache/parley-web");
const LOCK_DIR = join(WORK_DIR, "lock");
// 25 KB until issue 13 added the moderation UI (menus, settings panel, ban list) and its protocol checks;
// 31 KB since the client tells its own lost join from someone else's name (it was 22 bytes over 30);
// 33 KB since replies and reactions (quotes, chips, the picker, the reply bar: about 2 KB);
// 36 KB since search, message links and mentions (the search panel, the bell, notifications: about 2.1 KB,
// on top of the protocol's search frames, which had taken it to 33.1 KB);
// 37 KB since issue 14's landing polish (new-message badges, room names from free text, form errors, 12 name colours: about 1.1 KB);
// 38 KB since issue 14's room page (the unread divider and what was seen, drafts, "Slow down", accent-folded marks: about 0.7 KB);
// 40 KB since issue 14's light formatting, "Show more" and grouped joins and leaves (format.ts and presenceRun.ts, shared
// with the terminal, and their views: about 1.9 KB, 37.6 KB before).
const BUDGET_BYTES = 40 * 1024;
const LOCK_STALE_MS = 60_000;
const LOCK_WAIT_MS = 120_000;

async function main() {
  const started = Date.now();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [
      { in: "src/web/main.ts", out: "app" },
      { in: "src/web/styles/app.css", out: "app" },
    ],
    outdir: OUT_DIR,
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2022", "chrome111", "firefox115", "safari16.4"],
    legalComments: "none",
    charset: "utf8",
    sourcemap: false,
    write: false,
    logLevel: "warning",
  });

  const outputs = result.outputFiles
    .map((file) => ({ path: file.path, bytes: Buffer.from(file.contents) }))
    .sort((a, b) => a.path.localeCompare(b.path));

  let gzipTotal = 0;
  const sizes = outputs.map((file) => {
    const gz = gzipSync(file.bytes, { level: 9 }).byteLength;
    gzipTotal += gz;
    return `${relative(ROOT, file.path)} ${kb(file.bytes.byteLength)} (${kb(gz)} gzipped)`;
  });
  const summary = `web client: ${sizes.join(", ")}; JS+CSS ${kb(gzipTotal)} gzipped of ${kb(BUDGET_BYTES)}`;
  if (gzipTotal > BUDGET_BYTES) {
    // Nothing is written: the page keeps its last good bundle.
    console.error(`${summary}: OVER BUDGET, not written`);
    process.exitCode = 1;
    return;
  }

  const written = await withLock(() => outputs.filter((file) => writeIfChanged(file.path, file.bytes)));
  const changed = written.length === 0 ? "unchanged" : `wrote ${written.map((f) => relative(ROOT, f.path)).join(", ")}`;
  console.log(`${summary}; ${changed} in ${Date.now() - started} ms`);
}

/** Replaces `path` with `bytes` atomically; false (and no write at all) when it already holds them. */
function writeIfChanged(path, bytes) {
  if (sameBytes(path, bytes)) return false;
  mkdirSync(dirname(path), { recursive: true });
  const name = `${process.pid}-${Date.now()}-${relative(OUT_DIR, path).replaceAll("/", "_")}`;
  const temp = join(WORK_DIR, name);
  writeFileSync(temp, bytes);
  try {
    renameSync(temp, path);
  } catch (error) {
    if (error.code !== "EXDEV") throw error;
    // node_modules on another filesystem: stage beside the target instead (the output changed, a reload is due anyway).
    rmSync(temp, { force: true });
    const beside = join(dirname(path), `.${name}.tmp`);
    writeFileSync(beside, bytes);
    renameSync(beside, path);
  }
  return true;
}

function sameBytes(path, bytes) {
  try {
    return statSync(path).size === bytes.byteLength && readFileSync(path).equals(bytes);
  } catch {
    return false;
  }
}

/** Runs `fn` while holding a lock shared by every build of this checkout. */
async function withLock(fn) {
  mkdirSync(WORK_DIR, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      // A build that crashed holding the lock must not block every later one.
      if (isStale(LOCK_DIR)) rmSync(LOCK_DIR, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK_DIR}`);
      else await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

function isStale(path) {
  try {
    return Date.now() - statSync(path).mtimeMs > LOCK_STALE_MS;
  } catch {
    return false; // gone already: try again
  }
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
