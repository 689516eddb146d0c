/**
 * The systems under test and how to start each one on 127.0.0.1: Parley and
 * the bare relay Durable Object under `wrangler dev` and under `workerd`
 * directly, and the plain Node `ws` relay. Every server runs in its own
 * process group (harness/processGroups.ts), and every one started is stopped
 * on exit, even on Ctrl-C.
 */
import { join } from "node:path";
import { spawnGroup, stopGroup } from "../../harness/processGroups.ts";
import { startWranglerDev } from "../../harness/wranglerDev.ts";
import { ROOT, startWorkerd } from "./workerd.ts";

/**
 * relaysql: the relay storing each frame as one SQLite row first (store, then send);
 * relaywelcome: the relay sending each newcomer one welcome frame the size of Parley's (what S4 is judged by).
 */
export type SystemName = "parley" | "relay" | "relaysql" | "relaywelcome" | "ws";

/** Parley's welcome in a big room (the newest 50 events, no member list), measured in S4 and S5: ~4.9 KB. */
export const RELAY_WELCOME_BYTES = 4900;
export type RunnerName = "wrangler" | "workerd" | "node";

/** Where a server keeps its storage: tmpfs (commits without fsync) or this machine's disk, as `npm start` does. */
export type StorageName = "tmpfs" | "disk";

export interface Target {
  system: SystemName;
  runner: RunnerName;
  storage: StorageName;
  /** wrangler's local observability pipeline (every storage call a trace span): on as `npm start` runs it, off for comparisons. */
  observability: boolean;
  /** e.g. "parley@wrangler", "relaysql@workerd/disk", "parley@wrangler/disk+obs" */
  label: string;
}

export interface RunningServer {
  readonly target: Target;
  readonly url: string;
  /** Root of the server's process tree (what CPU and RSS are summed over). */
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Parley's limits for the bench: high enough that the load generator never trips them. */
export const PARLEY_BENCH_VARS: Record<string, string> = {
  RATE_BURST: "1000000",
  RATE_PER_SECOND: "1000000",
  FLOOD_STRIKES: "1000000",
  ROOM_CAPACITY: "20000",
  // Every bench client comes from one address (127.0.0.1), so the limits per
  // address would otherwise cap a run at 20 sockets and 10 messages a second.
  ADDRESS_MAX_SOCKETS: "20000",
  ADDRESS_MESSAGE_BURST: "1000000",
  ADDRESS_MESSAGES_PER_SECOND: "1000000",
  ADDRESS_JOIN_BURST: "1000000",
  ADDRESS_JOINS_PER_SECOND: "1000000",
  ADDRESS_REPLAY_BURST_BYTES: "1000000000",
  ADDRESS_REPLAY_BYTES_PER_SECOND: "1000000000",
  // No EXPOSE_STATS: timed runs measure the room as it runs in production,
  // without the row counters; the cost pass turns them on for itself.
};

const CONFIGS: Record<Exclude<SystemName, "ws">, string> = {
  parley: "wrangler.toml",
  relay: "bench/relay/wrangler.toml",
  relaysql: "bench/relay/wrangler.toml",
  relaywelcome: "bench/relay/wrangler.toml",
};

export function targetOf(system: SystemName, runner: RunnerName, storage: StorageName = "tmpfs", observability = false): Target {
  return { system, runner, storage, observability, label: `${system}@${runner}${storage === "disk" ? "/disk" : ""}${observability ? "+obs" : ""}` };
}

/** The same runner, storage and observability with another system: whom a target is compared with. */
export const peerLabel = (label: string, system: SystemName) => `${system}${label.slice(label.indexOf("@"))}`;

/** The parent directory of each storage kind (set by the bench from --state-dir and --disk-dir). */
export const STORAGE_DIRS: Record<StorageName, string> = { tmpfs: "/dev/shm", disk: "/var/tmp" };

export interface StartOptions {
  /** Extra or different vars (Parley only), on top of PARLEY_BENCH_VARS. */
  vars?: Record<string, string>;
  /** Bundle another entry (workerd runner only), e.g. the row-counting wrapper. */
  entry?: string;
  /** V8 flags (workerd runner only), e.g. `--perf-basic-prof`. */
  v8Flags?: string[];
}

const stoppers = new Set<() => Promise<void>>();

/** Stops every server still running (for Ctrl-C and failures). */
export async function stopAll(): Promise<void> {
  await Promise.allSettled([...stoppers].map((stop) => stop()));
}

export async function startTarget(target: Target, options: StartOptions = {}): Promise<RunningServer> {
  const vars: Record<string, string> =
    target.system === "parley"
      ? { ...PARLEY_BENCH_VARS, ...options.vars }
      : target.system === "relaysql"
        ? { RELAY_STORE: "1" }
        : target.system === "relaywelcome"
          ? { RELAY_WELCOME_BYTES: String(RELAY_WELCOME_BYTES) }
          : {};
  let server: { url: string; pid: number; output(): string; stop(): Promise<void> };
  // Both runners make their state directories with mkdtemp(os.tmpdir()), which reads TMPDIR when called.
  process.env.TMPDIR = STORAGE_DIRS[target.storage];
  if (target.system === "ws") {
    server = await startWsRelay();
  } else if (target.runner === "wrangler") {
    server = await startWranglerDev({ config: CONFIGS[target.system], vars, env: target.observability ? {} : { X_LOCAL_OBSERVABILITY: "false" } });
  } else {
    const started = await startWorkerd({
      config: CONFIGS[target.system],
      vars,
      ...(options.entry === undefined ? {} : { entry: options.entry }),
      ...(options.v8Flags === undefined ? {} : { v8Flags: options.v8Flags }),
    });
    server = started;
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    stoppers.delete(stop);
    await server.stop();
  };
  stoppers.add(stop);
  return { target, url: server.url, pid: server.pid, output: () => server.output(), stop };
}

async function startWsRelay(): Promise<{ url: string; pid: number; output(): string; stop(): Promise<void> }> {
  // process.execPath: the Node 24 that runs the bench (from node_modules under npm).
  const child = spawnGroup("ws relay", process.execPath, [join(ROOT, "bench/baselines/wsRelay.ts")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ws relay did not start:\n${output}`)), 30_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening (http:\/\/\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      });
      child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.once("exit", () => reject(new Error(`ws relay exited:\n${output}`)));
    });
    return { url, pid: child.pid ?? -1, output: () => output, stop: () => stopGroup(child) };
  } catch (error) {
    await stopGroup(child, { signal: "SIGKILL" });
    throw error;
  }
}
