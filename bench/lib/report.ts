/**
 * Medians over repeated runs, ratios to the baselines measured in the same
 * run, the targets of the issue, and the printed tables.
 */
import type { CostPassResult } from "./costPass.ts";
import type { RunResult } from "./measure.ts";
import type { Scenario } from "./scenarios.ts";
import { peerLabel } from "./systems.ts";

export interface Summary {
  target: string;
  system: string;
  runner: string;
  scenario: string;
  runs: number;
  clients: number;
  welcomed: number;
  connectPerSecond: number;
  welcomeP50Ms: number;
  settledMs: number;
  deliveriesPerSecond: number;
  messagesPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Worst run (these must be 0, so the worst is what matters). */
  lost: number;
  errors: number;
  duplicates: number;
  errorCodes: Record<string, number>;
  serverCpuSeconds: { connect: number; messages: number; teardown: number };
  cpuByProcessMessages: Record<string, number>;
  generatorCpuSeconds: { connect: number; messages: number };
  /** Load generator CPU as a share of one core during the message phase: near 1, it (not the server) was the limit. */
  generatorLoad: number;
  cpuMicrosPerDelivery: number;
  cpuMillisPerJoin: number;
  rssConnectedMB: number;
  memoryPerConnectionKB: number;
  connectFramesPerClient: number;
  connectMBReceived: number;
  rowsPerMessage?: { rowsRead: number; rowsWritten: number };
  rowsPerJoin?: { rowsRead: number; rowsWritten: number };
  rowsPerLeave?: { rowsRead: number; rowsWritten: number };
  /** Ratios of the scenario's headline figure (see Scenario.headline). */
  ratio: {
    toRelay?: number;
    toWs?: number;
    /** Against `relaysql` (store, then send) on the same runner and storage: the headline, connects/s, server CPU per delivery. */
    toRelaySql?: number;
    connectToRelaySql?: number;
    cpuToRelaySql?: number;
  };
}

export function median(values: readonly number[]): number {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 === 1 ? (xs[mid] as number) : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
}

const r = (v: number, digits = 1) => (Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : NaN);

function medianRows(rows: ({ rowsRead: number; rowsWritten: number } | undefined)[]) {
  const present = rows.filter((x): x is { rowsRead: number; rowsWritten: number } => x !== undefined);
  if (present.length === 0) return undefined;
  return { rowsRead: r(median(present.map((x) => x.rowsRead)), 3), rowsWritten: r(median(present.map((x) => x.rowsWritten)), 3) };
}

export function summarise(runs: RunResult[], scenario: Scenario): Summary {
  const first = runs[0] as RunResult;
  const [system, where] = first.target.split("@") as [string, string];
  const runner = where.replace(/[/+].*$/, "");
  const m = (f: (run: RunResult) => number, digits = 1) => r(median(runs.map(f)), digits);
  const errorCodes: Record<string, number> = {};
  for (const run of runs) for (const [code, n] of Object.entries(run.errorCodes)) errorCodes[code] = (errorCodes[code] ?? 0) + n;
  const byProcess: Record<string, number> = {};
  for (const name of new Set(runs.flatMap((run) => Object.keys(run.cost.messages.cpuByProcess)))) {
    byProcess[name] = m((run) => run.cost.messages.cpuByProcess[name] ?? 0, 2);
  }
  const rowsPerMessage = medianRows(runs.map((run) => run.derived.rowsPerMessage));
  const rowsPerJoin = medianRows(runs.map((run) => run.derived.rowsPerJoin));
  const rowsPerLeave = medianRows(runs.map((run) => run.derived.rowsPerLeave));
  return {
    target: first.target,
    system,
    runner,
    scenario: scenario.id,
    runs: runs.length,
    clients: scenario.clients,
    welcomed: Math.min(...runs.map((run) => run.connect.welcomed)),
    connectPerSecond: m((run) => run.connect.perSecond, 0),
    welcomeP50Ms: m((run) => run.connect.welcomeMs.p50, 2),
    settledMs: m((run) => run.connect.settledMs, 0),
    deliveriesPerSecond: m((run) => run.messages.deliveriesPerSecond, 0),
    messagesPerSecond: m((run) => run.messages.messagesPerSecond, 0),
    latencyMs: {
      p50: m((run) => run.messages.latencyMs.p50, 3),
      p90: m((run) => run.messages.latencyMs.p90, 3),
      p99: m((run) => run.messages.latencyMs.p99, 3),
      max: m((run) => run.messages.latencyMs.max, 3),
    },
    lost: Math.max(...runs.map((run) => run.messages.lost)),
    errors: Math.max(...runs.map((run) => run.errors)),
    duplicates: Math.max(...runs.map((run) => run.messages.duplicates)),
    errorCodes,
    serverCpuSeconds: {
      connect: m((run) => run.cost.connect.cpuSeconds, 2),
      messages: m((run) => run.cost.messages.cpuSeconds, 2),
      teardown: m((run) => run.cost.teardown.cpuSeconds, 2),
    },
    cpuByProcessMessages: byProcess,
    generatorCpuSeconds: {
      connect: m((run) => run.cost.connect.generatorCpuSeconds, 2),
      messages: m((run) => run.cost.messages.generatorCpuSeconds, 2),
    },
    generatorLoad: m((run) => (run.messages.durationMs > 0 ? run.cost.messages.generatorCpuSeconds / (run.messages.durationMs / 1000) : NaN), 2),
    cpuMicrosPerDelivery: m((run) => run.derived.cpuMicrosPerDelivery, 1),
    cpuMillisPerJoin: m((run) => run.derived.cpuMillisPerJoin, 2),
    rssConnectedMB: m((run) => run.rss.connectedBytes / 2 ** 20, 0),
    memoryPerConnectionKB: m((run) => run.rss.perConnectionBytes / 1024, 1),
    connectFramesPerClient: m((run) => run.derived.connectFramesPerClient, 1),
    connectMBReceived: m((run) => run.connect.received.bytes / 2 ** 20, 1),
    ...(rowsPerMessage ? { rowsPerMessage } : {}),
    ...(rowsPerJoin ? { rowsPerJoin } : {}),
    ...(rowsPerLeave ? { rowsPerLeave } : {}),
    ratio: {},
  };
}

/** The scenario's headline figure and whether more is better. */
function headline(summary: Summary, scenario: Scenario): { value: number; higherIsBetter: boolean; label: string } {
  switch (scenario.headline) {
    case "latency":
      return { value: summary.latencyMs.p50, higherIsBetter: false, label: "p50 latency" };
    case "throughput":
      return { value: summary.deliveriesPerSecond, higherIsBetter: true, label: "deliveries/s" };
    case "connect":
      return { value: summary.connectPerSecond, higherIsBetter: true, label: "connects/s" };
  }
}

/** Fills in ratios: each system to the relay DO under the same runner, and to the ws relay. */
export function addRatios(summaries: Summary[], scenario: Scenario): void {
  const find = (target: string) => summaries.find((s) => s.target === target);
  const ws = find("ws@node");
  for (const s of summaries) {
    const value = headline(s, scenario).value;
    const relay = s.system === "parley" ? find(peerLabel(s.target, "relay")) : undefined;
    if (relay) s.ratio.toRelay = r(value / headline(relay, scenario).value, 2);
    // The observability row is compared with the relay that stores, on the same storage, without it.
    const storing = s.system === "parley" ? find(peerLabel(s.target.replace(/\+obs$/, ""), "relaysql")) : undefined;
    if (storing) {
      s.ratio.toRelaySql = r(value / headline(storing, scenario).value, 2);
      s.ratio.connectToRelaySql = r(s.connectPerSecond / storing.connectPerSecond, 2);
      s.ratio.cpuToRelaySql = r(s.cpuMicrosPerDelivery / storing.cpuMicrosPerDelivery, 2);
    }
    if (ws && s !== ws) s.ratio.toWs = r(value / headline(ws, scenario).value, 2);
  }
}

export interface TargetCheck {
  target: string;
  what: string;
  verdict: "pass" | "FAIL" | "n/a";
  detail: string;
}

/** The targets, checked against this run's medians. */
export function checkTargets(bySummary: Map<string, Summary[]>, cost: CostPassResult | undefined): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const add = (target: string, what: string, ok: boolean | undefined, detail: string) =>
    checks.push({ target, what, verdict: ok === undefined ? "n/a" : ok ? "pass" : "FAIL", detail });
  for (const [scenario, summaries] of bySummary) {
    for (const s of summaries) {
      add(s.target, `${scenario} 0 deliveries lost`, s.lost === 0, `lost ${s.lost}, errors ${s.errors}`);
    }
    // The observability row shows what npm start costs; the targets are judged without it.
    for (const parley of summaries.filter((s) => s.system === "parley" && !s.target.endsWith("+obs"))) {
      const relay = summaries.find((s) => s.target === peerLabel(parley.target, "relay"));
      const storing = summaries.find((s) => s.target === peerLabel(parley.target, "relaysql"));
      const ws = summaries.find((s) => s.target === "ws@node");
      const ratio = parley.ratio;
      if (scenario === "S2" || scenario === "S3") {
        add(parley.target, `${scenario} deliveries/s ≥ 0.75× relay DO`, relay ? (ratio.toRelay ?? 0) >= 0.75 : undefined, `${ratio.toRelay ?? "n/a"}×`);
        if (parley.runner === "wrangler") {
          add(parley.target, `${scenario} deliveries/s ≥ 0.3× ws relay`, ws ? (ratio.toWs ?? 0) >= 0.3 : undefined, `${ratio.toWs ?? "n/a"}×`);
        }
      }
      // Settled in issue 15: a stored message is judged against a relay that stores too (same runner, same storage).
      if (scenario === "S1") {
        add(parley.target, "S1 p50 latency ≤ 1.1× relaysql", storing ? (ratio.toRelaySql ?? Infinity) <= 1.1 : undefined, `${ratio.toRelaySql ?? "n/a"}×`);
        add(parley.target, "S1 server CPU per delivery ≤ 1.1× relaysql", storing ? (ratio.cpuToRelaySql ?? Infinity) <= 1.1 : undefined, `${ratio.cpuToRelaySql ?? "n/a"}×`);
      }
      if (scenario === "S2") {
        add(parley.target, "S2 deliveries/s ≥ 1.5× relaysql", storing ? (ratio.toRelaySql ?? 0) >= 1.5 : undefined, `${ratio.toRelaySql ?? "n/a"}×`);
        add(parley.target, "S2 connect rate ≥ 1.0× relaysql", storing ? (ratio.connectToRelaySql ?? 0) >= 1.0 : undefined, `${ratio.connectToRelaySql ?? "n/a"}×`);
      }
      if (scenario === "S5") {
        add(parley.target, "S5 every client welcomed", parley.welcomed === parley.clients, `${parley.welcomed}/${parley.clients}`);
        add(parley.target, "S5 p99 latency ≤ 1 s", parley.latencyMs.p99 <= 1000, `${parley.latencyMs.p99} ms`);
      }
      if (scenario === "S4") {
        add(parley.target, "S4 all clients welcomed", parley.welcomed === parley.clients, `${parley.welcomed}/${parley.clients}`);
        // Settled in issue 15: a welcomed join is judged against a relay that sends a welcome of the same size.
        const welcoming = summaries.find((s) => s.target === peerLabel(parley.target, "relaywelcome"));
        const toWelcoming = welcoming ? r(parley.connectPerSecond / welcoming.connectPerSecond, 2) : undefined;
        add(parley.target, "S4 connect rate ≥ 0.8× relaywelcome", welcoming ? (toWelcoming ?? 0) >= 0.8 : undefined, `${toWelcoming ?? "n/a"}× (${parley.connectPerSecond}/s)`);
        if (parley.runner === "wrangler") {
          add(parley.target, "S4 connect rate ≥ 250/s", parley.connectPerSecond >= 250, `${parley.connectPerSecond}/s`);
        }
      }
    }
  }
  // The target's clauses: per message under the cap, 1 row written for the
  // event and 1 for its full-text index entry (SEARCH=off: the event alone),
  // at most twice that amortised once pruning runs (the pruned event and its
  // index entry), and at most 1 row read on the message path. Pruning's own
  // reads (a DELETE visits the rows it deletes, plus one) are shown in the
  // measured column, not held to the message path's bound.
  if (cost?.perMessageUnderCap) {
    const c = cost.perMessageUnderCap;
    add(`cost pass (${cost.source})`, "message path: 2 rows written (event, index), ≤ 1 read", c.rowsWritten <= 2 && c.rowsRead <= 1, `${c.rowsWritten} written, ${c.rowsRead} read`);
  }
  if (cost?.perMessageSearchOff) {
    const c = cost.perMessageSearchOff;
    add(`cost pass (${cost.source})`, "message path, SEARCH=off: 1 row written, ≤ 1 read", c.rowsWritten <= 1 && c.rowsRead <= 1, `${c.rowsWritten} written, ${c.rowsRead} read`);
  }
  if (cost?.perMessagePruning) {
    const c = cost.perMessagePruning;
    add(`cost pass (${cost.source})`, "message with pruning: ≤ 4 rows written (amortised)", c.rowsWritten <= 4, `${c.rowsWritten} written, ${c.rowsRead} read (the DELETEs')`);
  }
  return checks;
}

// ---------------------------------------------------------------------------
// Printing

function table(headers: string[], rows: string[][], alignLeft = 1): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < alignLeft ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const fmt = (v: number | undefined, digits = 0): string => (v === undefined || !Number.isFinite(v) ? "n/a" : v.toFixed(digits));
const fmtRatio = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? "-" : `${v.toFixed(2)}×`);
/** Rows per message or join, when the room counted them; timed runs leave its counters off (see the cost pass). */
const fmtRows = (x: { rowsRead: number; rowsWritten: number } | undefined): string =>
  x ? `${fmt(x.rowsWritten, 2)}/${fmt(x.rowsRead, 2)}` : "cost pass";

export function scenarioTable(scenario: Scenario, summaries: Summary[], repeat: number): string {
  const head = headline(summaries[0] as Summary, scenario).label;
  const speed = table(
    ["system", "conn/s", "deliv/s", "p50 ms", "p90 ms", "p99 ms", "max ms", `${head} ÷relay`, "÷relaysql", "÷ws", "conn ÷relaysql", "lost", "errors"],
    summaries.map((s) => [
      s.target,
      fmt(s.connectPerSecond),
      fmt(s.deliveriesPerSecond),
      fmt(s.latencyMs.p50, 2),
      fmt(s.latencyMs.p90, 2),
      fmt(s.latencyMs.p99, 2),
      fmt(s.latencyMs.max, 1),
      fmtRatio(s.ratio.toRelay),
      fmtRatio(s.ratio.toRelaySql),
      fmtRatio(s.ratio.toWs),
      fmtRatio(s.ratio.connectToRelaySql),
      String(s.lost),
      String(s.errors),
    ]),
  );
  const cost = table(
    ["system", "srv cpu s", "µs cpu/deliv", "÷relaysql", "by process", "gen cpu s", "gen load", "RSS MB", "KB/conn", "rows w/r per msg", "per join"],
    summaries.map((s) => [
      s.target,
      fmt(s.serverCpuSeconds.messages, 2),
      fmt(s.cpuMicrosPerDelivery, 1),
      fmtRatio(s.ratio.cpuToRelaySql),
      Object.entries(s.cpuByProcessMessages)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(", ") || "-",
      fmt(s.generatorCpuSeconds.messages, 2),
      `${fmt(s.generatorLoad * 100)}%`,
      fmt(s.rssConnectedMB),
      // A few sockets are lost in the noise of garbage collection.
      s.clients >= 50 ? fmt(s.memoryPerConnectionKB, 1) : "-",
      s.system === "parley" ? fmtRows(s.rowsPerMessage) : "-",
      s.system === "parley" ? fmtRows(s.rowsPerJoin) : "-",
    ]),
  );
  return `${scenario.id} ${scenario.title} (median of ${repeat})\n${speed}\n\n${scenario.id} message phase, server side (CPU of the whole server process tree)\n${cost}`;
}

export function joinTable(scenario: Scenario, summaries: Summary[]): string {
  const headers = ["system", "welcomed", "conn/s", "welcome p50 ms", "settled ms", "srv cpu s (join)", "ms cpu/join", "gen cpu s", "frames/client", "MB received", "cpu s (goodbyes)"];
  const rows = summaries.map((s) => [
    s.target,
    `${s.welcomed}/${s.clients}`,
    fmt(s.connectPerSecond),
    fmt(s.welcomeP50Ms, 2),
    fmt(s.settledMs),
    fmt(s.serverCpuSeconds.connect, 2),
    fmt(s.cpuMillisPerJoin, 2),
    fmt(s.generatorCpuSeconds.connect, 2),
    fmt(s.connectFramesPerClient, 1),
    fmt(s.connectMBReceived, 1),
    fmt(s.serverCpuSeconds.teardown, 2),
  ]);
  return `${scenario.id} connect phase\n${table(headers, rows)}`;
}

export function costTable(cost: CostPassResult): string {
  const lines = [
    `Storage rows (cost pass, HISTORY_LIMIT=${cost.historyLimit}, rows counted by ${cost.source === "room" ? "the room's /stats" : "the bench's stand-in wrapper bench/rows/entry.js"})`,
  ];
  const row = (label: string, x: { rowsRead: number; rowsWritten: number; count: number } | undefined) => [
    label,
    x ? String(x.count) : "n/a",
    fmt(x?.rowsWritten, 3),
    fmt(x?.rowsRead, 3),
  ];
  lines.push(
    table(
      ["per", "n", "rows written", "rows read"],
      [
        ["new room (constructor)", "1", fmt(cost.wake?.rowsWritten, 0), fmt(cost.wake?.rowsRead, 0)],
        row("join", cost.perJoin),
        row("first message after wake", cost.firstMessage),
        row("message, under the cap", cost.perMessageUnderCap),
        row("message, with pruning", cost.perMessagePruning),
        row("message, search off (SEARCH=off)", cost.perMessageSearchOff),
        row("duplicate resend", cost.perDuplicate),
        row("reply (replyTo)", cost.perReply),
        row("reaction", cost.perReaction),
        row("search (up to 20 results)", cost.perSearch),
        row("goodbye (left)", cost.perLeave),
      ],
    ),
  );
  if (cost.perMillionMessages) {
    const u = cost.perMillionMessages.underCap;
    const p = cost.perMillionMessages.pruning;
    lines.push(
      "",
      "Projected USD per million chat messages (Workers Paid, beyond included usage; duration not included, see docs/performance.md)",
      table(
        ["", "requests (20:1)", "rows written", "rows read", "total"],
        [
          ["under the cap", `$${u.requests}`, `$${u.rowsWritten}`, `$${u.rowsRead}`, `$${u.total}`],
          ["with pruning", `$${p.requests}`, `$${p.rowsWritten}`, `$${p.rowsRead}`, `$${p.total}`],
        ],
      ),
    );
  }
  if (cost.perMillionJoins) {
    const j = cost.perMillionJoins;
    lines.push(`Projected USD per million joins: requests $${j.requests} + rows written $${j.rowsWritten} + rows read $${j.rowsRead} = $${j.total}`);
  }
  if (cost.statements) {
    lines.push("", "Where the rows go (per operation, by statement; the bench's wrapper counts them)");
    const rows: string[][] = [];
    for (const [op, statements] of Object.entries(cost.statements)) {
      for (const st of statements) rows.push([op, st.sql.length > 90 ? `${st.sql.slice(0, 87)}...` : st.sql, fmt(st.calls, 3), fmt(st.rowsWritten, 3), fmt(st.rowsRead, 3)]);
    }
    lines.push(table(["per", "statement", "calls", "written", "read"], rows, 2));
  }
  if (cost.errors || cost.lost) lines.push(`cost pass: ${cost.errors} errors, ${cost.lost} deliveries lost`);
  if (cost.note) lines.push(cost.note);
  return lines.join("\n");
}

export function checksTable(checks: TargetCheck[]): string {
  return `Targets (this run)\n${table(["target", "check", "verdict", "measured"], checks.map((c) => [c.target, c.what, c.verdict, c.detail]), 4)}`;
}
