/**
 * Process groups written down on disk, one file per group, in the directory
 * that PARLEY_PROCESS_GROUPS names (test/support/globalSetup.ts creates it
 * for a vitest run). Test files run in worker processes that vitest can kill
 * (or that can crash) before they stop their servers; the main process reads
 * these records at the end and kills what is left. Without the variable
 * (`npm run bench`), nothing is written: the starting process's own exit and
 * signal handlers (processGroups.ts) are all there is.
 */
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync, type Dirent } from "node:fs";
import { join } from "node:path";
import { groupMembers, readStat } from "./procfs.ts";

export const GROUPS_DIR_ENV = "PARLEY_PROCESS_GROUPS";

export interface GroupRecord {
  /** The group's id: its leader's pid. */
  pgid: number;
  /** What runs in it, for people reading a leftover report ("wrangler dev", "chromium"…). */
  label: string;
  /** The process that started it. */
  owner: number;
  /** The leader's start time: a later process given the same pid has another. */
  leaderStart: string;
  /** Its state directories, removed with it if it is killed as a leftover. */
  stateDirs: string[];
}

const recordPath = (dir: string, pgid: number) => join(dir, `${pgid}.json`);

/** Writes a record of a group that was just started (its leader running); no-op outside a recording run. */
export function recordGroup(group: Pick<GroupRecord, "pgid" | "label" | "stateDirs">): void {
  const dir = process.env[GROUPS_DIR_ENV];
  if (!dir) return;
  const { pgid } = group;
  const record: GroupRecord = { ...group, owner: process.pid, leaderStart: readStat(pgid)?.startTime ?? "" };
  try {
    // Whole or not at all: a sweep may read it at any moment.
    writeFileSync(`${recordPath(dir, pgid)}.tmp`, JSON.stringify(record));
    renameSync(`${recordPath(dir, pgid)}.tmp`, recordPath(dir, pgid));
  } catch {
    // The directory is gone: the run is over and its teardown already swept.
  }
}

/** Removes the record of a group that was stopped. */
export function forgetGroup(pgid: number): void {
  const dir = process.env[GROUPS_DIR_ENV];
  if (dir) rmSync(recordPath(dir, pgid), { force: true });
}

/**
 * Every record in `dir`, with its file, and with `nested` those in its
 * subdirectories: a vitest run started by a test (test/harness/cleanup.test.ts)
 * records in one, so that the outer run's final sweep also covers it.
 */
export function readRecords(dir: string, nested = true): { path: string; record: GroupRecord }[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: { path: string; record: GroupRecord }[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (nested) found.push(...readRecords(path));
      continue;
    }
    if (!entry.name.endsWith(".json")) continue;
    try {
      found.push({ path, record: JSON.parse(readFileSync(path, "utf8")) as GroupRecord });
    } catch {
      // Removed meanwhile: the group was stopped.
    }
  }
  return found;
}

/**
 * Whether the recorded group's processes are still the ones recorded. While
 * any process is in a group, Linux gives nobody its id as a pid; so the group
 * is someone else's only if a new process with another start time holds the
 * leader's pid (and then ours is empty).
 */
function stillOurs(record: GroupRecord): boolean {
  const leader = readStat(record.pgid);
  return leader === undefined || leader.state === "Z" || leader.startTime === record.leaderStart;
}

/**
 * SIGKILLs every recorded group that still has a live process, removes their
 * state directories and every record. Synchronous, so that it can run in an
 * `exit` handler. Returns the records of the groups that were still running.
 */
export function killRecorded(dir: string): GroupRecord[] {
  return sweep(readRecords(dir));
}

/**
 * Does the same for the groups recorded in `dir` whose starting process is
 * gone: it exited without stopping them only if it was killed or crashed
 * (processGroups.ts kills a process's groups when it exits).
 */
export function killOrphaned(dir: string): GroupRecord[] {
  return sweep(readRecords(dir, false).filter(({ record }) => !isAlive(record.owner)));
}

/** Whether a process is running; a pid given to another process since counts as running, which only delays a sweep. */
function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== "Z";
}

function sweep(records: { path: string; record: GroupRecord }[]): GroupRecord[] {
  const leftovers: GroupRecord[] = [];
  for (const { path, record } of records) {
    if (stillOurs(record) && groupMembers(record.pgid).length > 0) {
      leftovers.push(record);
      try {
        process.kill(-record.pgid, "SIGKILL");
      } catch {
        // exited meanwhile
      }
    }
    // Still recorded means never stopped: nobody else will remove them.
    for (const stateDir of record.stateDirs) removeStateDir(stateDir);
    rmSync(path, { force: true });
  }
  return leftovers;
}

/** Removes a killed group's directory; never throws, as it runs in exit handlers. */
export function removeStateDir(dir: string): void {
  try {
    // A process killed a moment ago may still have a write in flight.
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // Left in the temporary directory; not worth failing an exit for.
  }
}

/** Names the process whose run a record directory belongs to (not a record: readRecords skips it). */
const RUN_OWNER = "run.owner";

/** Marks `dir` as the record directory of this process's run. */
export function markRun(dir: string): void {
  writeFileSync(join(dir, RUN_OWNER), JSON.stringify({ pid: process.pid, startTime: readStat(process.pid)?.startTime ?? "" }));
}

/**
 * Sweeps the record directories in `parent` (named `prefix`…) whose run's
 * process is gone: a run killed with SIGKILL sweeps nothing itself, and its
 * test workers are SIGKILLed by vitest's watchdog before they can. Runs
 * still going (another checkout's, on a shared machine) are left alone.
 */
export function sweepAbandonedRuns(parent: string, prefix: string): GroupRecord[] {
  const killed: GroupRecord[] = [];
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(prefix));
  } catch {
    return killed;
  }
  for (const name of names) {
    const dir = join(parent, name);
    let owner: { pid: number; startTime: string };
    try {
      owner = JSON.parse(readFileSync(join(dir, RUN_OWNER), "utf8")) as { pid: number; startTime: string };
    } catch {
      continue; // not a run's directory, or one being created this moment
    }
    const stat = readStat(owner.pid);
    if (stat !== undefined && stat.state !== "Z" && stat.startTime === owner.startTime) continue;
    killed.push(...killRecorded(dir));
    rmSync(dir, { recursive: true, force: true });
  }
  return killed;
}
