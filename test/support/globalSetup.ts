/**
 * vitest globalSetup, in vitest's main process: a directory in which every
 * process group that test files start is recorded until it is stopped
 * (harness/groupRecords.ts). Test files run in worker processes that vitest
 * may kill, or that may crash, before their afterAll stops anything; this
 * process outlives them: it kills a dead worker's groups within seconds, and
 * whatever is still recorded at the end of the run or when vitest itself
 * exits early (Ctrl-C skips teardowns). Of a run killed outright, the next
 * run's setup kills what is left.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GROUPS_DIR_ENV, killOrphaned, killRecorded, markRun, sweepAbandonedRuns, type GroupRecord } from "../../harness/groupRecords.ts";

const PREFIX = "parley-groups-";

export default function setup(): () => void {
  // What an earlier run killed with SIGKILL (vitest's main process itself) left running.
  report(sweepAbandonedRuns(tmpdir(), PREFIX), "left by an earlier run that was killed");
  // A run started by a test records inside its parent run's directory: should it
  // be killed before its own sweep, the parent's sweep still finds its groups.
  const parent = process.env[GROUPS_DIR_ENV];
  const dir = mkdtempSync(join(parent !== undefined && existsSync(parent) ? parent : tmpdir(), PREFIX));
  markRun(dir);
  // Workers are forked after this, with this environment; so are their servers.
  process.env[GROUPS_DIR_ENV] = dir;
  const sweep = (): GroupRecord[] => {
    const leftovers = killRecorded(dir);
    rmSync(dir, { recursive: true, force: true });
    return leftovers;
  };
  process.once("exit", sweep);
  // A crashed worker's servers would otherwise run (and hold ports, memory, CPU) until the end of the run.
  const orphans = setInterval(() => report(killOrphaned(dir), "left by a test worker that died"), 2000).unref();
  return () => {
    clearInterval(orphans);
    process.off("exit", sweep);
    report(sweep(), "still running after the tests");
  };
}

function report(killed: GroupRecord[], why: string): void {
  if (killed.length === 0) return;
  const list = killed.map((r) => `${r.label} (process group ${r.pgid}, started by pid ${r.owner})`).join(", ");
  console.warn(`Killed ${killed.length} process group(s) ${why}: ${list}`);
}
