/**
 * Cleanup that does not depend on tests passing. Scratch vitest runs
 * (test/harness/scratch/, under the same globalSetup as `npm test`) start
 * wrangler dev, Chromium and the terminal client, then fail, crash or are
 * interrupted; afterwards not one process of the run may be left.
 *
 * Every process of a scratch run inherits PARLEY_SCRATCH_RUN=<id> in its
 * environment, so a survivor is found whatever process group or session it
 * ended up in, and killed here whether this test passes or not.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { GROUPS_DIR_ENV } from "../../harness/groupRecords.ts";
import { spawnGroup, stopGroup } from "../../harness/processGroups.ts";
import { commandLine, hasEnv, liveProcesses } from "../../harness/procfs.ts";
import { waitFor } from "../../harness/waitFor.ts";
import { REPORT_ENV, type Started } from "./scratch/started.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const VITEST = join(ROOT, "node_modules/vitest/vitest.mjs");
const MARK = "PARLEY_SCRATCH_RUN";
const dir = mkdtempSync(join(tmpdir(), "parley-cleanup-"));

interface ScratchRun {
  id: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** What its test files reported starting, so far. */
  started(): Started[];
}

const runs: ScratchRun[] = [];

/**
 * Starts `vitest run` on scratch files, in a process group of its own (like a
 * terminal's foreground job). It records its groups inside this run's record
 * directory, unless `fromTerminal`: then in the temporary directory, as a run
 * started from a shell does.
 */
function startScratch(files: string[], options: { fromTerminal?: boolean } = {}): ScratchRun {
  const id = randomUUID();
  const reportPath = join(dir, `${id}.jsonl`);
  writeFileSync(reportPath, "");
  // The scratch vitest must not believe it runs inside this one's worker.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST") && !(options.fromTerminal && key === GROUPS_DIR_ENV)),
  );
  const child = spawnGroup("scratch vitest run", process.execPath, [VITEST, "run", "--config", "test/harness/scratch/vitest.config.ts", ...files], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...env, [MARK]: id, [REPORT_ENV]: reportPath, NO_COLOR: "1" },
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const run: ScratchRun = {
    id,
    child,
    exited: new Promise((done) => child.once("exit", (code, signal) => done({ code, signal }))),
    output: () => output,
    started: () =>
      readFileSync(reportPath, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Started),
  };
  runs.push(run);
  return run;
}

/** Live processes of a scratch run: whatever group or session they are in, they carry its mark. */
function survivors(run: ScratchRun): string[] {
  return liveProcesses()
    .filter((p) => hasEnv(p.pid, MARK, run.id))
    .map((p) => `${p.pid} (group ${p.pgid}): ${commandLine(p.pid).slice(0, 160)}`);
}

async function exitOf(run: ScratchRun, timeoutMs: number) {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`the scratch run did not end within ${timeoutMs} ms:\n${run.output()}`)), timeoutMs).unref(),
  );
  return Promise.race([run.exited, timeout]);
}

/** Everything the run started is gone: what it reported, and anything else carrying its mark. */
async function expectNothingLeft(run: ScratchRun): Promise<void> {
  // SIGKILLed processes take a moment to be gone from /proc; give them a few seconds, not more.
  await waitFor(() => survivors(run).length === 0, 10_000, "the scratch run's processes to be gone").catch(() => undefined);
  expect(survivors(run), run.output()).toEqual([]);
}

async function reported(run: ScratchRun, what: string, count = 1): Promise<void> {
  await waitFor(() => run.started().filter((s) => s.what === what).length >= count || run.child.exitCode !== null, 120_000, `${count} × ${what}`);
  expect(run.started().filter((s) => s.what === what), run.output()).toHaveLength(count);
}

afterAll(async () => {
  // Whether or not the tests passed: nothing of a scratch run outlives this file.
  for (const run of runs) {
    for (const p of liveProcesses().filter((p) => hasEnv(p.pid, MARK, run.id))) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // gone
      }
    }
    await stopGroup(run.child, { signal: "SIGKILL" });
  }
  rmSync(dir, { recursive: true, force: true });
});

describe.concurrent("a vitest run leaves no process behind", () => {
  it("when a test fails with a server, Chromium and a terminal client running, and when a worker crashes", async () => {
    const run = startScratch(["fails.scratch", "crashes.scratch"]);
    const { code } = await exitOf(run, 150_000);
    expect(code, run.output()).toBe(1);
    expect(run.output()).toContain("failing on purpose");
    // Both files got as far as starting what they start.
    await reported(run, "wrangler dev", 2);
    await reported(run, "parley cli under script");
    await expectNothingLeft(run);
    // Nobody was left in the crashed worker to stop its server: vitest's main process did.
    expect(run.output()).toMatch(/Killed 1 process group\(s\) [^:]+: wrangler dev \(process group \d+, started by pid \d+\)/);
  });

  it("when interrupted with Ctrl-C (SIGINT to the whole job) mid-test", async () => {
    const run = startScratch(["interrupted.scratch"]);
    await reported(run, "test worker");
    process.kill(-run.child.pid!, "SIGINT");
    await exitOf(run, 30_000);
    await expectNothingLeft(run);
  });

  it("when vitest alone is stopped with SIGTERM mid-test", async () => {
    const run = startScratch(["interrupted.scratch"]);
    await reported(run, "test worker");
    run.child.kill("SIGTERM");
    await exitOf(run, 30_000);
    await expectNothingLeft(run);
  });

  it("when vitest itself is SIGKILLed mid-test, once the next run has started", async () => {
    const run = startScratch(["interrupted.scratch"], { fromTerminal: true });
    await reported(run, "test worker");
    // Nothing in vitest's main process runs, and its watchdog SIGKILLs the worker: usually before
    // the worker notices, so the server is left running, recorded in the run's directory.
    run.child.kill("SIGKILL");
    await exitOf(run, 30_000);
    await waitFor(() => survivors(run).every((s) => !s.includes("vitest")), 10_000, "the worker to be gone").catch(() => undefined);
    const leftBehind = survivors(run);
    const next = startScratch(["passes.scratch"], { fromTerminal: true });
    expect((await exitOf(next, 120_000)).code, next.output()).toBe(0);
    if (leftBehind.length > 0) {
      const server = run.started().find((s) => s.what === "wrangler dev")!;
      expect(next.output()).toMatch(new RegExp(`left by an earlier run that was killed: .*wrangler dev \\(process group ${server.pid},`));
    }
    await expectNothingLeft(run);
  });
});
