/**
 * `npm run bench`: Parley side by side with a bare relay Durable Object and a
 * plain Node `ws` relay, under `wrangler dev` and under `workerd` directly,
 * driven by one load generator through the same scenarios, one system at a
 * time (repeats interleaved across systems), in one run. Prints tables
 * (medians of repeated runs, with ratios to the baselines of the same run)
 * and writes JSON to bench/results/.
 *
 *   npm run bench                          # everything, 3 repeats
 *   npm run bench -- --quick               # tiny sizes, to check the harness
 *   npm run bench -- --only S1,S2 --systems parley,relaysql --runners workerd --storage disk --repeat 5
 *
 * See docs/performance.md for what each scenario and column means.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { costPass, PRICES, type CostPassResult } from "./lib/costPass.ts";
import { runOnce, warmUp, type Limits, type RunResult } from "./lib/measure.ts";
import { addRatios, checksTable, checkTargets, costTable, joinTable, scenarioTable, summarise, type Summary } from "./lib/report.ts";
import { scenarios, WARMUP, type Scenario } from "./lib/scenarios.ts";
import {
  PARLEY_BENCH_VARS,
  startTarget,
  stopAll,
  STORAGE_DIRS,
  targetOf,
  type RunnerName,
  type RunningServer,
  type StorageName,
  type SystemName,
  type Target,
} from "./lib/systems.ts";
import { ROOT, tmpfsOrTmpdir, workerdBinary } from "./lib/workerd.ts";

const HELP = `npm run bench -- [options]
  --quick              tiny sizes (checks the harness; numbers mean little)
  --repeat N           runs per scenario and system; figures are medians (default 3)
  --only S1,S2         scenarios (S1 latency floor, S2 fan-out, S3 large room, S4 join storm,
                       S5 a room of 10 000, under workerd only)
  --systems LIST       parley,relay,relaysql,relaywelcome,ws (default): relaysql is the relay that
                       stores each frame before sending it, the store-then-send baseline S1 and S2
                       are judged by; relaywelcome sends each newcomer a welcome frame the size of
                       Parley's, the baseline S4 is judged by (it runs S4 only)
  --runners LIST       wrangler,workerd (default both; ws always runs on node)
  --storage LIST       tmpfs,disk (default both): disk runs S1 and S2 only, with storage under
                       --disk-dir, as \`npm start\` keeps it; tmpfs runs every scenario
  --no-observability-row
                       skip the one row (parley@wrangler/disk+obs, S1) with wrangler's local
                       observability pipeline on, as \`npm start\` runs it; every other
                       wrangler row runs with X_LOCAL_OBSERVABILITY=false
  --concurrency N      handshakes/joins in flight while connecting (default 50)
  --no-cost            skip the storage-rows cost pass
  --cost-wrapper       count rows with the bench's wrapper even if the room has /stats (per-statement breakdown)
  --no-warmup          skip the untimed warm-up run per system
  --state-dir DIR      where tmpfs servers keep their storage (default /dev/shm when it exists: see below)
  --disk-dir DIR       where disk servers keep their storage (default /var/tmp)
  --var NAME=VALUE     a Parley setting for this run, on top of the bench's (repeatable),
                       e.g. --var SEARCH=off
  --out FILE           JSON output (default bench/results/<timestamp>.json)
  --help

Server storage goes to tmpfs by default, for every system alike: on a disk,
each SQLite commit waits for fsync, a cost of this machine's disk that is
neither Parley's work nor how Durable Objects commit in production
(replication). The disk rows include it, since that is what \`npm start\` users get.`;

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    repeat: { type: "string" },
    only: { type: "string" },
    systems: { type: "string", default: "parley,relay,relaysql,relaywelcome,ws" },
    runners: { type: "string", default: "wrangler,workerd" },
    storage: { type: "string", default: "tmpfs,disk" },
    "no-observability-row": { type: "boolean", default: false },
    "disk-dir": { type: "string" },
    var: { type: "string", multiple: true },
    concurrency: { type: "string", default: "50" },
    "no-cost": { type: "boolean", default: false },
    "cost-wrapper": { type: "boolean", default: false },
    "no-warmup": { type: "boolean", default: false },
    out: { type: "string" },
    "state-dir": { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const list = (raw: string) => raw.split(",").map((s) => s.trim()).filter(Boolean);

for (const setting of values.var ?? []) {
  const at = setting.indexOf("=");
  if (at <= 0) throw new Error(`--var takes NAME=VALUE (got "${setting}")`);
  PARLEY_BENCH_VARS[setting.slice(0, at)] = setting.slice(at + 1);
}

const stateDir = values["state-dir"] ? resolve(values["state-dir"]) : tmpfsOrTmpdir();
const diskDir = resolve(values["disk-dir"] ?? STORAGE_DIRS.disk);
STORAGE_DIRS.tmpfs = stateDir;
STORAGE_DIRS.disk = diskDir;
// Observability is the targets' to say (off but for its own row), not the caller's shell.
delete process.env.X_LOCAL_OBSERVABILITY;
const repeat = Math.max(1, Number(values.repeat ?? 3) || 3);
const quick = values.quick;
let chosen = scenarios(quick, values.only ? list(values.only) : undefined);
const systems = list(values.systems) as SystemName[];
const runners = list(values.runners) as RunnerName[];
const storages = list(values.storage) as StorageName[];
for (const s of storages) if (!["tmpfs", "disk"].includes(s)) throw new Error(`unknown storage ${s}`);
/** Disk rows run the scenarios a user feels on disk: one message at a time, and a busy small room. */
const DISK_SCENARIOS = new Set(["S1", "S2"]);
for (const s of systems) if (!["parley", "relay", "relaysql", "relaywelcome", "ws"].includes(s)) throw new Error(`unknown system ${s}`);
for (const r of runners) if (!["wrangler", "workerd"].includes(r)) throw new Error(`unknown runner ${r}`);
const limits: Limits = {
  concurrency: Math.max(1, Number(values.concurrency) || 50),
  maxMs: quick ? 30_000 : 180_000,
  idleMs: quick ? 5_000 : 10_000,
};

/** What a target runs: disk rows S1 and S2, the observability row S1, the welcoming relay S4. */
const scenariosOf = (target: Target) =>
  chosen.filter((s) => {
    if (s.workerdOnly && (target.runner === "wrangler" || target.storage === "disk")) return false;
    // The welcoming relay is S4's baseline: S4 only, where S4 runs.
    if (target.system === "relaywelcome" && s.id !== "S4") return false;
    return target.observability ? s.id === "S1" : target.storage === "tmpfs" || DISK_SCENARIOS.has(s.id);
  });

// The systems run in turn, one at a time, but their repeats are interleaved:
// round i runs every system of a group once, so drift on a shared machine
// (other load, thermal state) reaches baselines and Parley alike instead of
// landing on whichever ran last. A group is one runner on one storage (the
// Node `ws` relay joins the workerd tmpfs group, or runs alone; the
// observability row joins wrangler's disk group); servers of one group are up
// together, idle but for their own turn. Baselines start first so a failure
// in Parley still leaves them measured. A target with nothing to run here
// (the welcoming relay on disk, a disk row for --only S3) is not started.
const allGroups: Target[][] = runners.flatMap((runner) =>
  storages.map((storage) => {
    const group = (["relay", "relaysql", "relaywelcome", "parley"] as const)
      .filter((system) => systems.includes(system))
      .map((system) => targetOf(system, runner, storage));
    if (runner === "wrangler" && storage === "disk" && systems.includes("parley") && !values["no-observability-row"]) {
      group.push(targetOf("parley", "wrangler", "disk", true));
    }
    return group;
  }),
);
if (systems.includes("ws")) {
  const withWorkerd = allGroups.find((group) => group[0]?.runner === "workerd" && group[0].storage === "tmpfs");
  if (withWorkerd) withWorkerd.push(targetOf("ws", "node"));
  else allGroups.push([targetOf("ws", "node")]);
}
const groups = allGroups.map((group) => group.filter((target) => scenariosOf(target).length > 0)).filter((group) => group.length > 0);
const targets: Target[] = groups.flat();

// Every server is stopped on the way out, whatever the way.
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping servers…`);
    void stopAll().finally(() => process.exit(130));
  });
}

/**
 * A room of 10 000 needs 10 000 client sockets here and more than 20 000 file
 * descriptors in workerd (it ran out at ~9 500 sockets under a 20 000 limit:
 * `accept(): Too many open files`). The servers inherit this process's limit,
 * so it is raised here, in place, with util-linux's `prlimit --pid` (allowed
 * to root, or up to the hard limit); otherwise the run says how.
 */
function raiseOpenFileLimit(needed: number): string {
  const soft = openFileLimits()?.soft ?? Infinity;
  if (soft >= needed) return "";
  const raised = spawnSync("prlimit", ["--pid", String(process.pid), `--nofile=${needed}:${needed}`], { encoding: "utf8" });
  if (raised.status === 0) return ` (raised from ${soft} with prlimit --pid ${process.pid} --nofile=${needed}:${needed})`;
  return ` (could not raise it to ${needed}: ${(raised.stderr || raised.error?.message || "prlimit failed").trim()}; run the bench as root, or raise the hard limit first, e.g. \`ulimit -Hn ${needed}\` as root or LimitNOFILE= for a service)`;
}

/** This process's open-file limits as they are now ("unlimited" is Infinity); undefined where /proc cannot tell. */
function openFileLimits(): { soft: number; hard: number } | undefined {
  let match: RegExpExecArray | null;
  try {
    match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
  } catch {
    return undefined;
  }
  const limit = (raw: string) => (raw === "unlimited" ? Infinity : Number(raw));
  return match ? { soft: limit(match[1]!), hard: limit(match[2]!) } : undefined;
}

function openFileLimit(): string {
  const limits = openFileLimits();
  return limits ? `${limits.soft} (hard ${limits.hard})` : "unknown";
}

function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** Which code was measured: the commit, and whether the Worker's sources differed from it. */
function gitState(): { commit: string; dirty: string[] } {
  const git = (...args: string[]) => spawnSync("git", args, { cwd: ROOT, encoding: "utf8" }).stdout?.trimEnd() ?? "";
  // A copy without .git (e.g. a `git archive` export) can name its commit in PARLEY_BENCH_COMMIT.
  if (process.env.PARLEY_BENCH_COMMIT) return { commit: process.env.PARLEY_BENCH_COMMIT, dirty: [] };
  const commit = git("rev-parse", "--short", "HEAD").trim() || "unknown";
  const dirty = git("status", "--porcelain", "--", "src", "wrangler.toml", "bench/relay")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.slice(3));
  return { commit, dirty };
}

// Every socket is a descriptor in this process and two in workerd's (measured: 2.00 per WebSocket, relay and Parley alike).
const WORKERD_FILES_PER_SOCKET = 2;
const raisedFiles = Math.max(...chosen.map((s) => s.clients)) >= 5000 ? raiseOpenFileLimit(65_536) : "";
const fileLimit = openFileLimits()?.soft ?? Infinity;
/** The most sockets workerd can hold under the limit it inherits (a few hundred descriptors spare). */
const socketCeiling = Math.floor((fileLimit - 400) / WORKERD_FILES_PER_SOCKET / 100) * 100;
let capped = "";
chosen = chosen.map((s) => {
  if (s.clients <= socketCeiling) return s;
  capped = `; ${s.id} runs ${socketCeiling} clients, not ${s.clients}: workerd keeps ${WORKERD_FILES_PER_SOCKET} descriptors per WebSocket and the limit could not be raised (see above)`;
  return { ...s, clients: socketCeiling, title: s.title.replace(/10 000/g, socketCeiling.toLocaleString("en").replace(",", " ")) };
});
const neededSockets = Math.max(...chosen.map((s) => s.clients));

const machine = {
  cpus: availableParallelism(),
  cpuModel: cpus()[0]?.model ?? "unknown",
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  node: process.version,
  wrangler: versionOf("wrangler"),
  workerdBinary: workerdBinary(),
  openFiles: openFileLimit(),
  stateDir,
  diskDir,
  git: gitState(),
};

const log = (line: string) => console.log(line);
log(`Parley benchmark ${quick ? "(quick sizes) " : ""}— ${new Date().toISOString()}`);
log(`machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, load ${machine.loadAverageAtStart.join(" ")}, node ${machine.node}, wrangler ${machine.wrangler}`);
log(`code: ${machine.git.commit}${machine.git.dirty.length > 0 ? ` + uncommitted changes in ${machine.git.dirty.join(", ")}` : ""}`);
log(`open files limit: ${machine.openFiles}${raisedFiles}; the largest scenario opens ${neededSockets} client sockets in this process${capped}`);
log(`server storage: tmpfs rows in ${stateDir}${stateDir === "/dev/shm" ? " (commits without fsync)" : ""}; /disk rows in ${diskDir} (on disk, as npm start keeps it; S1 and S2 only)`);
log(`wrangler's local observability: off (X_LOCAL_OBSERVABILITY=false) in every row but +obs, where it is on as npm start runs it`);
log(`Parley overrides (--var, bench only): ${Object.entries(PARLEY_BENCH_VARS).map(([k, v]) => `${k}=${v}`).join(" ")}`);
log(`targets: ${targets.map((t) => t.label).join(", ")}; scenarios: ${chosen.map((s) => s.id).join(", ")}; ${repeat} repeat(s); connect concurrency ${limits.concurrency}`);
log("");

const runs: RunResult[] = [];
const failures: { target: string; scenario?: string; error: string }[] = [];

const codeAtStart = JSON.stringify(machine.git);
const codeByTarget: Record<string, ReturnType<typeof gitState>> = {};

/** Starts a system and warms it up; undefined (and a failure recorded) if it cannot start. */
async function startMeasured(target: Target): Promise<RunningServer | undefined> {
  log(`== ${target.label}: starting`);
  // The Worker is built from the working tree when its server starts: say so if the tree changed since the run began.
  const code = gitState();
  codeByTarget[target.label] = code;
  if (JSON.stringify(code) !== codeAtStart) {
    log(`   NOTE: the sources changed since the run started; this system runs ${code.commit}${code.dirty.length > 0 ? ` + uncommitted ${code.dirty.join(", ")}` : ""}`);
  }
  const started = performance.now();
  let server: RunningServer | undefined;
  try {
    server = await startTarget(target);
    log(`   ready in ${Math.round(performance.now() - started)} ms at ${server.url} (pid ${server.pid})`);
    if (!values["no-warmup"]) await warmUp(server, quick ? { ...WARMUP, clients: 4, perSender: 20 } : WARMUP, limits);
    return server;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    failures.push({ target: target.label, error: message });
    log(`   ${target.label} FAILED: ${message.split("\n").slice(0, 5).join("\n   ")}`);
    await server?.stop();
    return undefined;
  }
}

/** One run of a scenario on a system, again if wrangler dev reloaded the Worker meanwhile. */
async function measureRun(server: RunningServer, scenario: Scenario, i: number): Promise<void> {
  try {
    // A run during which wrangler dev reloaded the Worker (someone saved a
    // source file) measured a restart, not the system: run it again.
    let run = await runOnce(server, scenario, i, limits);
    for (let retry = 1; run.reloaded && retry <= 2 && !interrupted; retry++) {
      log(`   ${server.target.label} ${scenario.id} #${i}: wrangler dev reloaded the Worker during the run (a watched file changed); running it again`);
      run = await runOnce(server, scenario, i, limits);
    }
    runs.push(run);
    log(`   ${server.target.label} ${describeRun(run)}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    failures.push({ target: server.target.label, scenario: scenario.id, error: message });
    log(`   ${server.target.label} ${scenario.id} #${i} FAILED: ${message}`);
  }
}

/** Every scenario on every system of a group, repeats interleaved (see `groups`). */
async function measureGroup(group: Target[]): Promise<void> {
  const servers: RunningServer[] = [];
  try {
    for (const target of group) {
      if (interrupted) return;
      const server = await startMeasured(target);
      if (server) servers.push(server);
    }
    for (const scenario of chosen) {
      for (let i = 1; i <= repeat; i++) {
        for (const server of servers) {
          if (interrupted) return;
          if (scenariosOf(server.target).includes(scenario)) await measureRun(server, scenario, i);
        }
      }
    }
  } finally {
    for (const server of servers) await server.stop();
  }
}

function describeRun(run: RunResult): string {
  const m = run.messages;
  const c = run.connect;
  return (
    `${run.scenario} #${run.repeat}: ${c.welcomed}/${c.requested} in ${Math.round(c.durationMs)} ms (${c.perSecond}/s), ` +
    `${m.delivered}/${m.expected} delivered (${m.deliveriesPerSecond}/s, p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms), ` +
    `lost ${m.lost}, errors ${run.errors}, server cpu ${run.cost.connect.cpuSeconds}+${run.cost.messages.cpuSeconds}+${run.cost.teardown.cpuSeconds} s` +
    (run.quiet ? "" : " (server never went quiet)") +
    (run.reloaded ? " (VOID: wrangler dev reloaded the Worker during the run)" : "")
  );
}

let cost: CostPassResult | undefined;
try {
  for (const group of groups) {
    if (interrupted) break;
    await measureGroup(group);
  }
  if (!values["no-cost"] && systems.includes("parley") && !interrupted) {
    log("== cost pass: parley@workerd, storage rows per operation");
    try {
      cost = await costPass({ quick, forceWrapper: values["cost-wrapper"], log });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push({ target: "cost pass", error: message });
      log(`   cost pass FAILED: ${message.split("\n").slice(0, 5).join("\n   ")}`);
    }
  }
} finally {
  await stopAll();
}

// ---------------------------------------------------------------------------
// Report

const summaries = new Map<string, Summary[]>();
log("");
for (const scenario of chosen) {
  const list: Summary[] = [];
  for (const target of targets) {
    const mine = runs.filter((run) => run.target === target.label && run.scenario === scenario.id);
    if (mine.length > 0) list.push(summarise(mine, scenario));
  }
  if (list.length === 0) continue;
  addRatios(list, scenario);
  summaries.set(scenario.id, list);
  log(scenarioTable(scenario, list, repeat));
  log("");
  if (scenario.id === "S4" || scenario.clients >= 500) {
    log(joinTable(scenario, list));
    log("");
  }
}
if (cost) {
  log(costTable(cost));
  log("");
}
const checks = checkTargets(summaries, cost);
if (checks.length > 0) {
  log(checksTable(checks));
  log("");
}
const errorCodes = new Set<string>();
for (const list of summaries.values()) for (const s of list) for (const code of Object.keys(s.errorCodes)) errorCodes.add(`${s.target} ${s.scenario}: ${code}×${s.errorCodes[code]}`);
if (errorCodes.size > 0) log(`errors by code: ${[...errorCodes].join("; ")}`);
const voidRuns = runs.filter((run) => run.reloaded);
if (voidRuns.length > 0) {
  log(`VOID runs kept after 3 attempts (wrangler dev kept reloading): ${voidRuns.map((run) => `${run.target} ${run.scenario} #${run.repeat}`).join(", ")}`);
}
for (const f of failures) log(`FAILED ${f.target}${f.scenario ? ` ${f.scenario}` : ""}: ${f.error.split("\n")[0]}`);
log(`load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(" ")} (at start ${machine.loadAverageAtStart.join(" ")})`);
if (quick) log("quick sizes: these numbers only show that the harness works.");

const outPath = values.out ? resolve(values.out) : join(ROOT, "bench/results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
mkdirSync(resolve(outPath, ".."), { recursive: true });
const report = {
  startedAt: new Date(Date.now() - performance.now()).toISOString(),
  finishedAt: new Date().toISOString(),
  quick,
  repeat,
  machine: { ...machine, loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) },
  parleyOverrides: PARLEY_BENCH_VARS,
  limits,
  prices: PRICES,
  scenarios: chosen satisfies Scenario[],
  targets: targets.map((t) => t.label),
  codeByTarget,
  summaries: Object.fromEntries(summaries),
  checks,
  cost: cost ?? null,
  runs,
  failures,
};
writeFileSync(outPath, `${JSON.stringify(report, null, 2)}\n`);
log(`JSON: ${outPath}`);
process.exitCode = failures.length > 0 || interrupted ? 1 : 0;
