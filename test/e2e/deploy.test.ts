/**
 * `npm run deploy` must keep working: `wrangler deploy --dry-run` builds the
 * deployable Worker (and, through the [build] step, the browser bundle)
 * offline, without uploading anything.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const outdir = mkdtempSync(join(tmpdir(), "parley-deploy-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

it("builds the Worker bundle with wrangler deploy --dry-run", () => {
  const result = spawnSync(
    process.execPath,
    [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", outdir],
    {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true" },
    },
  );
  expect(result.status, result.stderr + result.stdout).toBe(0);
  expect(result.stdout).toContain("--dry-run: exiting now.");
  const bundle = join(outdir, "index.js");
  expect(statSync(bundle).size).toBeGreaterThan(10_000);
  // The Durable Object class is exported for the migration to find.
  expect(readFileSync(bundle, "utf8")).toMatch(/export\s*\{[^}]*\bRoom\b/);
  expect(existsSync(join(ROOT, "public/build/app.js"))).toBe(true);
}, 150_000);
