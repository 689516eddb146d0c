/**
 * Keeps `npm run bench` from rotting: the whole harness at tiny sizes (both
 * runners, every system, the cost pass), checked for completeness and for
 * zero lost deliveries. No timing assertions: this machine's numbers at these
 * sizes mean nothing.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnGroup, stopGroup } from "../../harness/processGroups.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "parley-bench-smoke-"));
let bench: ChildProcess | undefined;

afterAll(async () => {
  // A bench still running here timed out: SIGTERM lets it stop its servers, as Ctrl-C would.
  if (bench) await stopGroup(bench, { graceMs: 15_000 });
  rmSync(dir, { recursive: true, force: true });
});

interface Report {
  targets: string[];
  summaries: Record<string, { target: string; lost: number; errors: number; welcomed: number; clients: number; deliveriesPerSecond: number }[]>;
  runs: { target: string; scenario: string; messages: { expected: number; delivered: number; lost: number }; errors: number }[];
  cost: { source: string; perMessageUnderCap?: { rowsWritten: number; rowsRead: number }; perJoin?: unknown } | null;
  failures: unknown[];
}

function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    // process.execPath: the Node 24 that runs the tests (what `npm run bench` uses).
    const child = spawnGroup("npm run bench", process.execPath, ["bench/run.ts", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    bench = child;
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => done({ code, output }));
  });
}

describe("npm run bench (quick smoke)", () => {
  it("measures every system under both runners with nothing lost, and reports storage rows", async () => {
    const out = join(dir, "smoke.json");
    const { code, output } = await runBench(["--quick", "--repeat", "1", "--only", "S1,S4", "--no-warmup", "--out", out]);
    expect(code, output).toBe(0);
    expect(output).toContain("Parley overrides (--var, bench only): RATE_BURST=");

    const report = JSON.parse(readFileSync(out, "utf8")) as Report;
    expect(report.failures).toEqual([]);
    // Each runner on tmpfs and on disk, relaysql beside the relay, wrangler's observability row on disk.
    expect(report.targets).toEqual([
      "relay@wrangler",
      "relaysql@wrangler",
      "relaywelcome@wrangler",
      "parley@wrangler",
      "relay@wrangler/disk",
      "relaysql@wrangler/disk",
      "parley@wrangler/disk",
      "parley@wrangler/disk+obs",
      "relay@workerd",
      "relaysql@workerd",
      "relaywelcome@workerd",
      "parley@workerd",
      "ws@node",
      "relay@workerd/disk",
      "relaysql@workerd/disk",
      "parley@workerd/disk",
    ]);
    // Disk rows run S1 and S2 only; the welcoming relay runs S4 only.
    const ran = { S1: report.targets.filter((t) => !t.startsWith("relaywelcome")), S4: report.targets.filter((t) => !t.includes("/disk")) };
    for (const scenario of ["S1", "S4"] as const) {
      const summaries = report.summaries[scenario] ?? [];
      expect(summaries.map((s) => s.target)).toEqual(ran[scenario]);
      for (const s of summaries) {
        expect({ target: s.target, scenario, lost: s.lost, errors: s.errors }).toEqual({ target: s.target, scenario, lost: 0, errors: 0 });
        expect(s.welcomed).toBe(s.clients);
        expect(s.deliveriesPerSecond).toBeGreaterThan(0);
      }
    }
    for (const run of report.runs) {
      expect(run.messages.expected).toBeGreaterThan(0);
      expect(run.messages.delivered).toBe(run.messages.expected);
    }
    // Rows come from the room's /stats, or from the bench's stand-in wrapper until it has one.
    expect(report.cost?.perMessageUnderCap?.rowsWritten).toBeGreaterThan(0);
    expect(report.cost?.perJoin).toBeDefined();
  });
});
