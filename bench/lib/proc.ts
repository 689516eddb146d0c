/**
 * Server cost from Linux /proc: CPU seconds and memory of a whole process
 * tree (wrangler's Node process and every workerd under it, or a baseline
 * server), sampled before and after each phase of a scenario.
 */
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on Linux x86-64 and arm64). */
const CLOCK_TICKS = 100;

export interface ProcessSample {
  pid: number;
  /** Executable name (comm), e.g. "node" or "workerd". */
  name: string;
  /** User + system CPU seconds so far. */
  cpuSeconds: number;
  /** Resident set size, bytes. */
  rssBytes: number;
}

export interface TreeSample {
  /** When the sample was taken (performance.now(), ms). */
  at: number;
  processes: ProcessSample[];
  cpuSeconds: number;
  /** Sum of RSS over the tree (shared pages counted once per process). */
  rssBytes: number;
}

interface StatLine {
  pid: number;
  ppid: number;
  name: string;
  cpuSeconds: number;
}

function readStat(pid: number): StatLine | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // gone
  }
  // comm is in parentheses and may contain spaces or parentheses: split after the last ")".
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  const name = text.slice(open + 1, close);
  const fields = text.slice(close + 2).split(" ");
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { pid, ppid, name, cpuSeconds: (utime + stime) / CLOCK_TICKS };
}

/**
 * The executable's base name from argv[0] ("node", "workerd"; comm says
 * "MainThread" for Node 24). wrangler dev runs two workerd processes: the one
 * with the inspector runs the Worker ("workerd:worker"), the other is
 * wrangler's proxy in front of it ("workerd:proxy").
 */
function readName(pid: number, fallback: string): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const argv0 = argv[0] ?? "";
    const base = argv0.slice(argv0.lastIndexOf("/") + 1);
    if (base === "workerd" && argv.some((a) => a.startsWith("--control-fd"))) {
      return argv.some((a) => a.startsWith("--inspector-addr")) ? "workerd:worker" : "workerd:proxy";
    }
    return base === "" ? fallback : base;
  } catch {
    return fallback;
  }
}

function readRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every live process whose ancestry reaches `rootPid` (the root included). */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid);
    if (list) list.push(stat.pid);
    else children.set(stat.ppid, [stat.pid]);
  }
  const out: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    out.push(pid);
    for (const child of children.get(pid) ?? []) queue.push(child);
  }
  return out;
}

/**
 * Samples a process tree. `pids` from `processTree` may be passed to skip the
 * /proc scan (the tree of a running server does not change during a scenario);
 * a process that exited is then simply absent.
 */
export function sampleTree(rootPid: number, pids: number[] = processTree(rootPid)): TreeSample {
  const processes: ProcessSample[] = [];
  for (const pid of pids) {
    const stat = readStat(pid);
    if (!stat) continue;
    processes.push({ pid, name: readName(pid, stat.name), cpuSeconds: stat.cpuSeconds, rssBytes: readRss(pid) });
  }
  return {
    at: performance.now(),
    processes,
    cpuSeconds: processes.reduce((sum, p) => sum + p.cpuSeconds, 0),
    rssBytes: processes.reduce((sum, p) => sum + p.rssBytes, 0),
  };
}

/** CPU seconds between two samples, in total and per process name (e.g. {node: 0.4, workerd: 3.1}). */
export function cpuBetween(before: TreeSample, after: TreeSample): { total: number; byName: Record<string, number> } {
  const start = new Map(before.processes.map((p) => [p.pid, p.cpuSeconds]));
  const byName: Record<string, number> = {};
  let total = 0;
  for (const p of after.processes) {
    const delta = p.cpuSeconds - (start.get(p.pid) ?? 0);
    total += delta;
    byName[p.name] = round((byName[p.name] ?? 0) + delta, 2);
  }
  return { total: round(total, 2), byName };
}

/** This (load generator) process's own CPU seconds so far. */
export function selfCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/**
 * Waits until the tree has been quiet (under `busyShare` of one core) for
 * `quietMs`, so one phase's leftover work (a storm of `left` broadcasts after
 * 2000 sockets close) does not bill the next. Gives up after `maxMs`.
 */
export async function waitQuiet(
  rootPid: number,
  options: { quietMs?: number; maxMs?: number; busyShare?: number } = {},
): Promise<{ waitedMs: number; quiet: boolean }> {
  const quietMs = options.quietMs ?? 600;
  const maxMs = options.maxMs ?? 30_000;
  const busyShare = options.busyShare ?? 0.05;
  const pids = processTree(rootPid);
  const started = performance.now();
  let previous = sampleTree(rootPid, pids);
  let quietSince = previous.at;
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const now = sampleTree(rootPid, pids);
    const share = (now.cpuSeconds - previous.cpuSeconds) / ((now.at - previous.at) / 1000);
    if (share > busyShare) quietSince = now.at;
    previous = now;
    if (now.at - quietSince >= quietMs) return { waitedMs: Math.round(now.at - started), quiet: true };
    if (now.at - started > maxMs) return { waitedMs: Math.round(now.at - started), quiet: false };
  }
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
