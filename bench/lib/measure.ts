/**
 * One measured run of one scenario against one running server, in a fresh
 * room: connect phase, message phase, goodbye. Server CPU and RSS (whole
 * process tree) and the room's row counters are read at each boundary, after
 * the server has gone quiet, so each phase is billed only for its own work.
 */
import { LoadRoom, PARLEY_FRAMING, RELAY_FRAMING, round, WELCOMING_RELAY_FRAMING, type ConnectResult, type Framing, type MessageResult } from "./loadgen.ts";
import { cpuBetween, processTree, sampleTree, selfCpuSeconds, waitQuiet, type TreeSample } from "./proc.ts";
import { readRowStats, rowDelta, type RowDelta } from "./rows.ts";
import type { Scenario } from "./scenarios.ts";
import type { RunningServer, SystemName } from "./systems.ts";

export interface Limits {
  /** Handshakes/joins in flight at once while connecting. */
  concurrency: number;
  /** A connect phase or message phase gives up after this long. */
  maxMs: number;
  /** A message phase ends after this long without a delivery. */
  idleMs: number;
}

export interface PhaseCost {
  /** Server CPU seconds, whole tree. */
  cpuSeconds: number;
  /** The same per process name (node, workerd, …). */
  cpuByProcess: Record<string, number>;
  /** The load generator's own CPU seconds (it shares the machine). */
  generatorCpuSeconds: number;
  rows?: RowDelta;
}

export interface RunResult {
  target: string;
  scenario: string;
  repeat: number;
  room: string;
  connect: ConnectResult;
  messages: MessageResult;
  cost: { connect: PhaseCost; messages: PhaseCost; teardown: PhaseCost };
  rss: { beforeBytes: number; connectedBytes: number; afterBytes: number; perConnectionBytes: number };
  errors: number;
  errorCodes: Record<string, number>;
  unexpectedFrames: number;
  /** Whether the server went quiet before each sample (false: a sample was taken while it was still busy). */
  quiet: boolean;
  /** wrangler dev rebuilt and reloaded the Worker during the run (a source file changed): the run is void. */
  reloaded: boolean;
  /** Derived figures, for the table. */
  derived: {
    /** Server CPU µs per delivery in the message phase. */
    cpuMicrosPerDelivery: number;
    /** Server CPU µs per message sent in the message phase. */
    cpuMicrosPerMessage: number;
    /** Server CPU ms per join in the connect phase. */
    cpuMillisPerJoin: number;
    /** Frames each client received, on average, while the room filled up. */
    connectFramesPerClient: number;
    rowsPerMessage?: RowDelta;
    rowsPerJoin?: RowDelta;
    rowsPerLeave?: RowDelta;
  };
}

/** What wrangler dev prints when a watched file changed and it rebuilds and reloads the Worker. */
const RELOADED = /Reloading local server|Running custom build/;

let roomCounter = 0;

export function freshRoom(label: string, scenario: string): string {
  const stamp = Date.now().toString(36);
  return `bench-${label.replace(/[^a-z0-9]/g, "")}-${scenario.toLowerCase()}-${stamp}-${++roomCounter}`.slice(0, 64);
}

const framingOf = (system: SystemName): Framing =>
  system === "parley" ? PARLEY_FRAMING : system === "relaywelcome" ? WELCOMING_RELAY_FRAMING : RELAY_FRAMING;

export async function runOnce(server: RunningServer, scenario: Scenario, repeat: number, limits: Limits): Promise<RunResult> {
  const room = freshRoom(server.target.label, scenario.id);
  const framing = framingOf(server.target.system);
  const load = new LoadRoom(server.url, room, framing);
  const pids = () => processTree(server.pid);
  let quiet = true;
  const settle = async () => {
    const result = await waitQuiet(server.pid, { maxMs: limits.maxMs });
    quiet &&= result.quiet;
  };
  const wantsRows = server.target.system === "parley";
  const outputMark = server.output().length;

  await settle();
  const rows0 = wantsRows ? await readRowStats(server.url, room) : undefined; // also wakes the room
  if (wantsRows) await settle();
  const s0 = sampleTree(server.pid, pids());
  const g0 = selfCpuSeconds();

  const connect = await load.connect(scenario.clients, { concurrency: scenario.concurrency ?? limits.concurrency, timeoutMs: limits.maxMs });
  await settle();
  const s1 = sampleTree(server.pid, pids());
  const g1 = selfCpuSeconds();
  const rows1 = wantsRows ? await readRowStats(server.url, room) : undefined;
  if (wantsRows) await settle();
  const s1b = sampleTree(server.pid, pids());
  const g1b = selfCpuSeconds();

  const messages = await load.messages({
    senders: scenario.senders,
    perSender: scenario.perSender,
    window: scenario.window,
    idleMs: limits.idleMs,
    maxMs: limits.maxMs,
  });
  const s2 = sampleTree(server.pid, pids());
  const g2 = selfCpuSeconds();
  await settle();
  const rows2 = wantsRows ? await readRowStats(server.url, room) : undefined;
  if (wantsRows) await settle();
  const s2b = sampleTree(server.pid, pids());
  const g2b = selfCpuSeconds();

  await load.close();
  await settle();
  const s3 = sampleTree(server.pid, pids());
  const g3 = selfCpuSeconds();
  const rows3 = wantsRows ? await readRowStats(server.url, room) : undefined;

  const phase = (a: TreeSample, b: TreeSample, ga: number, gb: number, rows?: RowDelta): PhaseCost => {
    const cpu = cpuBetween(a, b);
    return {
      cpuSeconds: cpu.total,
      cpuByProcess: cpu.byName,
      generatorCpuSeconds: round(gb - ga, 2),
      ...(rows ? { rows } : {}),
    };
  };
  const cost = {
    connect: phase(s0, s1, g0, g1, rowDelta(rows0, rows1)),
    messages: phase(s1b, s2, g1b, g2, rowDelta(rows1, rows2)),
    teardown: phase(s2b, s3, g2b, g3, rowDelta(rows2, rows3)),
  };
  const welcomed = connect.welcomed;
  const perClient = (d: RowDelta | undefined, n: number): RowDelta | undefined =>
    d && n > 0 ? { rowsRead: round(d.rowsRead / n, 3), rowsWritten: round(d.rowsWritten / n, 3) } : undefined;
  const rowsPerMessage = perClient(cost.messages.rows, messages.sent);
  const rowsPerJoin = perClient(cost.connect.rows, welcomed);
  const rowsPerLeave = perClient(cost.teardown.rows, welcomed);

  return {
    target: server.target.label,
    scenario: scenario.id,
    repeat,
    room,
    connect,
    messages,
    cost,
    rss: {
      beforeBytes: s0.rssBytes,
      connectedBytes: s1.rssBytes,
      afterBytes: s3.rssBytes,
      perConnectionBytes: welcomed > 0 ? Math.round((s1.rssBytes - s0.rssBytes) / welcomed) : 0,
    },
    errors: load.counters.errors,
    errorCodes: load.counters.errorCodes,
    unexpectedFrames: load.counters.unexpected,
    quiet,
    reloaded: RELOADED.test(server.output().slice(outputMark)),
    derived: {
      cpuMicrosPerDelivery: messages.delivered > 0 ? round((cost.messages.cpuSeconds / messages.delivered) * 1e6, 2) : NaN,
      cpuMicrosPerMessage: messages.sent > 0 ? round((cost.messages.cpuSeconds / messages.sent) * 1e6, 1) : NaN,
      cpuMillisPerJoin: welcomed > 0 ? round((cost.connect.cpuSeconds / welcomed) * 1e3, 3) : NaN,
      connectFramesPerClient: welcomed > 0 ? round(connect.received.frames / welcomed, 1) : 0,
      ...(rowsPerMessage ? { rowsPerMessage } : {}),
      ...(rowsPerJoin ? { rowsPerJoin } : {}),
      ...(rowsPerLeave ? { rowsPerLeave } : {}),
    },
  };
}

/** An untimed run that warms up the server, the runtime's JIT and the generator. */
export async function warmUp(server: RunningServer, scenario: Scenario, limits: Limits): Promise<void> {
  const framing = framingOf(server.target.system);
  const load = new LoadRoom(server.url, freshRoom(server.target.label, "warm"), framing);
  await load.connect(scenario.clients, { concurrency: scenario.concurrency ?? limits.concurrency, timeoutMs: limits.maxMs });
  await load.messages({ ...scenario, idleMs: limits.idleMs, maxMs: limits.maxMs });
  await load.close();
  await waitQuiet(server.pid, { maxMs: limits.maxMs });
}
