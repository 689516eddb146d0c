/**
 * `npm run bench:native`: where the workerd process's CPU goes, in native
 * code as well as JavaScript, Parley beside the bare relay.
 *
 * `bench:profile` samples V8 only, and most of a join is the runtime's C++:
 * the HTTP upgrade, the Worker → Durable Object call, the socket's output
 * pump, SQLite, the garbage collector. This samples the whole workerd process
 * with Linux `perf` (call graphs, V8's `--perf-basic-prof` for JavaScript
 * names) while the bench's own load generator drives it, in alternating
 * rounds per system, and sorts every sample into a few categories:
 *
 *   npm run bench:native                              # join storms: µs of workerd CPU per join
 *   npm run bench:native -- --mode message            # S1's round trips: µs per message
 *   npm run bench:native -- --systems parley,relay,relaysql --rounds 6
 *
 * Needs `perf` (Debian: linux-perf) and permission to sample the processes it
 * starts (root, or kernel.perf_event_paranoid ≤ 1 to include kernel time).
 * The categories come from symbol names in the workerd binary: a diagnostic,
 * not a bench figure (with perf attached, rates are lower than the bench's).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LoadRoom, PARLEY_FRAMING, RELAY_FRAMING } from "./lib/loadgen.ts";
import { freshRoom } from "./lib/measure.ts";
import { processTree, waitQuiet } from "./lib/proc.ts";
import { startTarget, stopAll, targetOf, type RunningServer, type SystemName } from "./lib/systems.ts";
import { tmpfsOrTmpdir } from "./lib/workerd.ts";

const { values } = parseArgs({
  options: {
    mode: { type: "string", default: "storm" },
    systems: { type: "string", default: "relay,parley" },
    rounds: { type: "string", default: "4" },
    clients: { type: "string", default: "2000" },
    messages: { type: "string", default: "2000" },
    frequency: { type: "string", default: "999" },
    top: { type: "string", default: "15" },
  },
});
const mode = values.mode;
if (mode !== "storm" && mode !== "message") throw new Error("--mode is storm or message");
const systems = values.systems.split(",") as SystemName[];
if (systems.some((s) => s === "ws")) throw new Error("--systems: the Workers only (parley, relay, relaysql)");
const rounds = Number(values.rounds);
const clients = mode === "storm" ? Number(values.clients) : 2;
const messages = Number(values.messages);
const frequency = Number(values.frequency);
/** What one sample is divided by: joins in a storm, messages in round trips. */
const unitsPerRound = mode === "storm" ? clients : messages;
const unit = mode === "storm" ? "join" : "message";

if (spawnSync("perf", ["--version"]).status !== 0) {
  console.error("bench:native needs Linux perf on the PATH (Debian: apt install linux-perf)");
  process.exit(2);
}

/** Where a sample's time went, by the first rule its call stack matches (leaf to root). */
const CATEGORIES: { name: string; test: (stack: string[]) => boolean }[] = [
  { name: "SQLite (statements and commits)", test: (s) => s.some((f) => /sqlite3|ActorSqlite/.test(f)) },
  {
    name: "garbage collection",
    test: (s) => s.some((f) => /cppgc::|v8::internal::(Heap|Scavenge|MarkCompact|MinorGC|Sweeper|GCTracer|IncrementalMarking|ConcurrentMarking)/.test(f)),
  },
  { name: "WebSocket sends (output pump)", test: (s) => s.some((f) => /LegacyWebSocketAdapter|WebSocketPipeImpl|api::WebSocket::send/.test(f)) },
  { name: "kernel: page faults", test: (s) => s.some((f) => f.includes("exc_page_fault")) },
  { name: "kernel: network", test: (s) => s.some((f) => /^(tcp_|ip_|inet_|sock_|__sys_|do_epoll|ep_)/.test(f)) },
  { name: "JavaScript (JIT code and builtins)", test: (s) => /^(JS:|Builtins_)/.test(s[0] ?? "") },
];
const REST = "the rest of the runtime (HTTP, calls into the object, promises)";

interface Tally {
  samples: number;
  byCategory: Map<string, number>;
  /** Samples with each JavaScript function on the stack (inclusive). */
  byFunction: Map<string, number>;
  /** Each round's headline: connects/s in a storm, p50 latency (ms) in round trips. */
  headlines: number[];
}

/** One sample per blank-line-separated block of `perf script -F comm,ip,sym`: the comm line, then frames leaf first. */
function tallySamples(script: string, tally: Tally): void {
  for (const block of script.split("\n\n")) {
    const stack = block
      .split("\n")
      .filter((line) => /^\s/.test(line))
      .map((line) => line.trim().replace(/^[0-9a-f]+\s+/, "").replace(/\+0x[0-9a-f]+$/, ""));
    if (stack.length === 0) continue;
    tally.samples += 1;
    const category = CATEGORIES.find((c) => c.test(stack))?.name ?? REST;
    tally.byCategory.set(category, (tally.byCategory.get(category) ?? 0) + 1);
    const functions = new Set<string>();
    for (const frame of stack) {
      // --perf-basic-prof names JIT code `JS:<tier>'<name> worker.js:<line>:<col>` (tier marks: + ^ * ~)
      const match = /^JS:[+^*~]?'?(.*?) worker\.js:(\d+)/.exec(frame);
      if (match) functions.add(`${match[1] || "(anonymous)"}@${match[2]}`);
    }
    for (const name of functions) tally.byFunction.set(name, (tally.byFunction.get(name) ?? 0) + 1);
  }
}

/** One storm or one run of round trips in a fresh room, recorded by perf into `record` if given; returns its headline. */
async function runRound(server: RunningServer, record: string | undefined): Promise<number> {
  const framing = server.target.system === "parley" ? PARLEY_FRAMING : RELAY_FRAMING;
  const load = new LoadRoom(server.url, freshRoom(server.target.label, "native"), framing);
  await waitQuiet(server.pid, { maxMs: 30_000 });
  const measured = async (phase: () => Promise<number>): Promise<number> => {
    if (!record) return phase();
    const perf = spawn("perf", ["record", "-g", "-F", String(frequency), "-p", processTree(server.pid).join(","), "-o", record], {
      stdio: "ignore",
    });
    const exited = new Promise((done) => perf.once("exit", done));
    await new Promise((r) => setTimeout(r, 500)); // perf attaches; the idle server adds no samples meanwhile
    try {
      return await phase();
    } finally {
      perf.kill("SIGINT");
      await exited;
    }
  };
  let headline: number;
  if (mode === "storm") {
    headline = await measured(async () => (await load.connect(clients, { concurrency: 50, timeoutMs: 60_000 })).perSecond);
  } else {
    await load.connect(clients, { concurrency: 50, timeoutMs: 60_000 });
    await waitQuiet(server.pid, { maxMs: 30_000 });
    headline = await measured(
      async () => (await load.messages({ senders: 1, perSender: messages, window: 1, idleMs: 10_000, maxMs: 180_000 })).latencyMs.p50,
    );
  }
  await load.close();
  return headline;
}

// Storage on tmpfs, as in the bench: this disk's fsync would otherwise dominate every commit.
process.env.TMPDIR = tmpfsOrTmpdir();
const dataDir = mkdtempSync(join(tmpdir(), "parley-native-"));
const servers: RunningServer[] = [];
const tallies = new Map<string, Tally>();
const perfMaps: string[] = [];
try {
  for (const system of systems) {
    const server = await startTarget(targetOf(system, "workerd"), { v8Flags: ["--perf-basic-prof"] });
    servers.push(server);
    perfMaps.push(...processTree(server.pid).map((pid) => `/tmp/perf-${pid}.map`));
    tallies.set(system, { samples: 0, byCategory: new Map(), byFunction: new Map(), headlines: [] });
  }
  // Round 0 warms each system up (JIT, first allocations) and is not recorded.
  for (let round = 0; round <= rounds; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const server of order) {
      const record = round === 0 ? undefined : join(dataDir, `${server.target.system}-${round}.data`);
      const headline = await runRound(server, record);
      if (!record) continue;
      const tally = tallies.get(server.target.system)!;
      tally.headlines.push(headline);
      const script = spawnSync("perf", ["script", "-F", "comm,ip,sym", "-i", record], { encoding: "utf8", maxBuffer: 1 << 30 });
      tallySamples(script.stdout, tally);
      console.log(`round ${round} ${server.target.label}: ${mode === "storm" ? `${headline}/s` : `p50 ${headline} ms`}`);
    }
  }
} finally {
  await stopAll();
  rmSync(dataDir, { recursive: true, force: true });
  for (const map of perfMaps) rmSync(map, { force: true });
}

const perUnit = (samples: number) => ((samples / frequency / (unitsPerRound * rounds)) * 1e6).toFixed(1);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const width = 66;
console.log(`\nworkerd CPU per ${unit}, µs (perf at ${frequency} Hz, ${rounds} rounds of ${unitsPerRound} ${unit}s per system, workerd serve, tmpfs)`);
console.log(["".padEnd(width), ...systems.map((s) => s.padStart(9))].join(""));
for (const name of [...CATEGORIES.map((c) => c.name), REST]) {
  console.log([name.padEnd(width), ...systems.map((s) => perUnit(tallies.get(s)!.byCategory.get(name) ?? 0).padStart(9))].join(""));
}
console.log(["total".padEnd(width), ...systems.map((s) => perUnit(tallies.get(s)!.samples).padStart(9))].join(""));
console.log(
  [(mode === "storm" ? "connects/s (median, perf attached)" : "p50 ms (median, perf attached)").padEnd(width), ...systems.map((s) => String(median(tallies.get(s)!.headlines)).padStart(9))].join(""),
);
for (const system of systems) {
  const byFunction = tallies.get(system)!.byFunction;
  const functions = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
  if (functions.length === 0) continue;
  // Keys are name@line in the bundle; the line is shown only where two functions share a name (the Worker's and the room's fetch).
  const names = new Map<string, number>();
  for (const key of byFunction.keys()) {
    const name = key.split("@")[0]!;
    names.set(name, (names.get(name) ?? 0) + 1);
  }
  console.log(`\n${system}: JavaScript functions, inclusive µs per ${unit} (native calls they make included)`);
  for (const [key, samples] of functions) {
    const [name, line] = key.split("@") as [string, string];
    console.log(`${perUnit(samples).padStart(8)}  ${names.get(name)! > 1 ? `${name} (bundle line ${line})` : name}`);
  }
}
