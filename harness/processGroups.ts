/**
 * The one registry of process groups that tests and the benchmark start:
 * wrangler dev, workerd, the ws relay, the terminal client, Chromium, the
 * benchmark itself. Each runs in a group of its own, so that one kill stops
 * it with every child it made (workerd under wrangler, esbuild, renderers).
 *
 * A group is recorded on disk (groupRecords.ts) from its start until it is
 * stopped, and killed with SIGKILL when this process exits, is interrupted
 * (SIGINT, SIGTERM, SIGHUP) or loses its vitest parent, whether or not the
 * code that started it got to stop it: a failed test, a `beforeAll` that
 * threw halfway, or vitest ending a test file's worker.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { forgetGroup, recordGroup, removeStateDir } from "./groupRecords.ts";

export interface GroupOptions extends SpawnOptions {
  /**
   * Directories that hold the group's state (a server's storage): removed
   * with the group if it is killed as a leftover. A normal stop leaves them
   * to the caller, who may keep them (restart tests).
   */
  stateDirs?: string[];
}

/** pgid → what it is, for the groups this process started and has not stopped. */
const live = new Map<number, { label: string; stateDirs: string[] }>();

/** Starts `command` as the leader of a new process group, recorded until it exits or is stopped. */
export function spawnGroup(label: string, command: string, args: readonly string[], options: GroupOptions = {}): ChildProcess {
  const { stateDirs = [], ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, detached: true });
  if (child.pid === undefined) return child; // spawn failed; its "error" event says why
  track(child.pid, label, stateDirs);
  // What the leader leaves behind (workerd under a crashed wrangler) has no use without it.
  child.once("exit", () => release(child.pid!, "SIGKILL"));
  return child;
}

/**
 * Takes charge of a group some library started (Playwright's Chromium), to
 * be killed with the others. Call the returned function once the library
 * has closed it: it kills whatever is left of the group and forgets it.
 */
export function adoptGroup(label: string, pgid: number): () => void {
  track(pgid, label, []);
  return () => release(pgid, "SIGKILL");
}

/** Signals every process in the child's group. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid !== undefined) signalPgid(child.pid, signal);
}

/**
 * Stops a group: `signal` (SIGTERM unless told), SIGKILL if the leader has
 * not exited after `graceMs`, then SIGKILL for whatever else is left in it.
 */
export async function stopGroup(child: ChildProcess, options: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<void> {
  if (child.pid === undefined) return;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    signalGroup(child, options.signal ?? "SIGTERM");
    const timer = setTimeout(() => signalGroup(child, "SIGKILL"), options.graceMs ?? 5000);
    await exited;
    clearTimeout(timer);
  }
  release(child.pid, "SIGKILL");
}

/** SIGKILLs every group this process started and still holds. Synchronous: it runs in `exit` handlers. */
export function killOwnGroups(): void {
  for (const [pgid, { stateDirs }] of [...live]) {
    release(pgid, "SIGKILL");
    for (const dir of stateDirs) removeStateDir(dir);
  }
}

function track(pgid: number, label: string, stateDirs: string[]): void {
  installHandlers();
  live.set(pgid, { label, stateDirs });
  recordGroup({ pgid, label, stateDirs });
}

/** Forgets a group, SIGKILLing what is left of it first unless told not to; only the first call acts. */
function release(pgid: number, finalSignal?: NodeJS.Signals): void {
  // Once released, the id may be handed to someone else's group: never signal it again.
  if (!live.delete(pgid)) return;
  if (finalSignal) signalPgid(pgid, finalSignal);
  forgetGroup(pgid);
}

function signalPgid(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // nobody left in it
  }
}

let installed = false;

function installHandlers(): void {
  if (installed) return;
  installed = true;
  process.once("exit", killOwnGroups);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      killOwnGroups();
      process.off(signal, onSignal);
      // Listening replaced the default action (exit); restore it, unless
      // someone else listens too and so decides (bench/run.ts exits itself).
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    // First in line, so that a `once` listener added earlier (bench/run.ts)
    // is still there to be counted: it removes itself when it is called.
    process.prependListener(signal, onSignal);
  }
  // A vitest worker whose main process went away is about to be SIGKILLed by
  // vitest's watchdog, which leaves no time for anything else.
  if (process.channel) process.once("disconnect", killOwnGroups);
}
