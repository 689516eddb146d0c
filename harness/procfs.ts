/**
 * What Linux /proc says about processes: enough to tell which processes are
 * in a process group, and whether a pid still names the process it named.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface ProcStat {
  pid: number;
  /** Executable name as the kernel keeps it (at most 15 characters). */
  comm: string;
  /** R, S, D, Z (zombie: exited, not yet reaped)… */
  state: string;
  ppid: number;
  pgid: number;
  /** Clock ticks after boot at which it started: with the pid, names one process for good. */
  startTime: string;
}

export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // comm is in parentheses and may itself contain spaces and parentheses.
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  // fields[0] is field 3 of proc(5): state; then ppid, pgrp; starttime is field 22.
  return {
    pid,
    comm: text.slice(text.indexOf("(") + 1, close),
    state: fields[0] ?? "",
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    startTime: fields[19] ?? "",
  };
}

/** Every process now, zombies left out: they have exited and only wait for their parent to reap them. */
export function liveProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.state !== "Z") out.push(stat);
  }
  return out;
}

/** The live processes of a process group. */
export function groupMembers(pgid: number): ProcStat[] {
  return liveProcesses().filter((p) => p.pgid === pgid);
}

/** A process's command line, arguments joined by spaces ("" once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** Whether a process's environment holds `NAME=value` (false once it is gone). */
export function hasEnv(pid: number, name: string, value: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`${name}=${value}`);
  } catch {
    return false;
  }
}

/** Inodes of the TCP sockets listening on 127.0.0.1:`port` (or on every IPv4 address). */
function listenerInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  let table: string;
  try {
    table = readFileSync("/proc/net/tcp", "utf8");
  } catch {
    return inodes;
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const line of table.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    // local_address is fields[1] (hex IP:port), st fields[3] (0A: LISTEN), inode fields[9].
    if (fields[3] === "0A" && (fields[1] === `0100007F:${hexPort}` || fields[1] === `00000000:${hexPort}`)) inodes.add(fields[9]!);
  }
  return inodes;
}

/** Whether a process of group `pgid` holds the socket listening on `port`, rather than some other server. */
export function groupListensOn(pgid: number, port: number): boolean {
  const inodes = listenerInodes(port);
  if (inodes.size === 0) return false;
  for (const member of groupMembers(pgid)) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${member.pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${member.pid}/fd/${fd}`);
        if (inodes.has(target.slice("socket:[".length, -1)) && target.startsWith("socket:[")) return true;
      } catch {
        // closed meanwhile
      }
    }
  }
  return false;
}
