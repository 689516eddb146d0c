/**
 * `npm run bench:profile`: where Parley's server time goes. Runs the Worker
 * under `workerd serve` with its inspector open, drives one workload, and
 * records a V8 CPU profile of the Worker through the DevTools protocol; prints
 * self time and inclusive time per function. This is how the join-path and
 * message-path costs in docs/performance.md were found.
 *
 *   npm run bench:profile                     # join storm: 2000 clients join one room
 *   npm run bench:profile -- --mode message   # 2 clients, 2000 messages one at a time (S1)
 *   npm run bench:profile -- --clients 500 --top 40
 */
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { freePort } from "../harness/ports.ts";
import { PARLEY_BENCH_VARS } from "./lib/systems.ts";
import { startWorkerd, tmpfsOrTmpdir } from "./lib/workerd.ts";

const { values } = parseArgs({
  options: {
    mode: { type: "string", default: "storm" },
    clients: { type: "string", default: "2000" },
    messages: { type: "string", default: "2000" },
    top: { type: "string", default: "25" },
  },
});
if (values.mode !== "storm" && values.mode !== "message") throw new Error("--mode is storm or message");

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A DevTools protocol session over the inspector's WebSocket. */
async function devtools(inspectorUrl: string) {
  const targets = (await (await fetch(`${inspectorUrl}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  let nextId = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
  });
  return {
    call<T>(method: string, params: object = {}): Promise<T> {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, (result) => resolve(result as T));
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => socket.close(),
  };
}

function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  return new Promise((resolve, reject) => ws.once("open", () => resolve(ws)).once("error", reject));
}

/** Resolves with the welcome after sending a join. */
function joinAs(ws: WebSocket, name: string): Promise<void> {
  return new Promise((resolve) => {
    const onFrame = (data: Buffer) => {
      if (data.includes('"type":"welcome"')) {
        ws.off("message", onFrame);
        resolve();
      }
    };
    ws.on("message", onFrame);
    ws.send(JSON.stringify({ type: "join", name }));
  });
}

/** Opens a socket that joins in its URL, as clients do on a first connect; resolves at the welcome. */
function openJoined(url: string, name: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url}?name=${encodeURIComponent(name)}`, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    const onFrame = (data: Buffer) => {
      if (!data.includes('"type":"welcome"')) return;
      ws.off("message", onFrame);
      resolve(ws);
    };
    ws.on("message", onFrame).once("error", reject);
  });
}

async function joinStorm(url: string, clients: number, sockets: WebSocket[]): Promise<string> {
  let started = 0;
  const worker = async () => {
    while (started < clients) {
      const i = started++;
      sockets.push(await openJoined(url, `c${i}`));
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 50 }, worker)); // 50 joins in flight, as the bench does
  const ms = performance.now() - t0;
  return `${clients} joins in ${ms.toFixed(0)} ms (${((clients / ms) * 1000).toFixed(0)}/s)`;
}

async function messageRoundTrips(url: string, messages: number, sockets: WebSocket[]): Promise<string> {
  const [a, b] = await Promise.all([open(url), open(url)]);
  sockets.push(a, b);
  await joinAs(a, "sender");
  await joinAs(b, "receiver");
  const latencies: number[] = [];
  for (let i = 0; i < messages; i++) {
    const id = `m${i}`;
    const sent = performance.now();
    await new Promise<void>((resolve) => {
      const onFrame = (data: Buffer) => {
        if (!data.includes(`"id":"${id}"`)) return;
        b.off("message", onFrame);
        latencies.push(performance.now() - sent);
        resolve();
      };
      b.on("message", onFrame);
      a.send(JSON.stringify({ type: "message", text: "hello", id }));
    });
  }
  latencies.sort((x, y) => x - y);
  const at = (q: number) => latencies[Math.floor(latencies.length * q)]!.toFixed(3);
  return `${messages} round trips: p50 ${at(0.5)} ms, p90 ${at(0.9)} ms`;
}

/** Self and inclusive time per function, from a sampled profile. */
function summarise(profile: Profile, top: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) =>
    `${n.callFrame.functionName || "(anonymous)"}${n.callFrame.url ? ` ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber + 1}` : ""}`;
  const timeById = new Map<number, number>();
  profile.samples.forEach((id, i) => timeById.set(id, (timeById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, micros] of timeById) {
    const node = byId.get(id)!;
    const name = label(node);
    if (name === "(idle)") continue;
    busy += micros;
    self.set(name, (self.get(name) ?? 0) + micros);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const key = label(byId.get(cur)!);
      if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
      seen.add(key);
    }
  }
  const rows = (map: Map<string, number>) =>
    [...map]
      .filter(([name]) => name !== "(root)")
      .sort((x, y) => y[1] - x[1])
      .slice(0, top)
      .map(([name, micros]) => `${(micros / 1000).toFixed(0).padStart(7)} ms ${((100 * micros) / busy).toFixed(1).padStart(5)}%  ${name}`);
  return [
    `busy (not idle): ${(busy / 1000).toFixed(0)} ms`,
    "--- self time (native calls show as their name, without a file)",
    ...rows(self),
    "--- inclusive time",
    ...rows(inclusive),
  ];
}

// Storage on tmpfs, as in the bench: a profile of this disk's fsync would tell nothing about the Worker.
process.env.TMPDIR = tmpfsOrTmpdir();
const inspectorPort = await freePort();
const server = await startWorkerd({
  config: "wrangler.toml",
  vars: PARLEY_BENCH_VARS,
  args: [`--inspector-addr=127.0.0.1:${inspectorPort}`],
});
const sockets: WebSocket[] = [];
try {
  const url = `${server.url.replace(/^http/, "ws")}/api/rooms/profile-${Date.now()}/ws`;
  // Warm up the isolate and the room before sampling.
  const warm = await open(url);
  await joinAs(warm, "warm-up");
  const inspector = await devtools(`http://127.0.0.1:${inspectorPort}`);
  await inspector.call("Profiler.enable");
  await inspector.call("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.call("Profiler.start");
  const outcome =
    values.mode === "storm"
      ? await joinStorm(url, Number(values.clients), sockets)
      : await messageRoundTrips(url, Number(values.messages), sockets);
  await new Promise((r) => setTimeout(r, 1500)); // let batched presence frames go out
  const { profile } = await inspector.call<{ profile: Profile }>("Profiler.stop");
  inspector.close();
  console.log(`${values.mode}: ${outcome} (with the profiler attached: slower than the bench)`);
  for (const line of summarise(profile, Number(values.top))) console.log(line);
  warm.terminate();
} finally {
  for (const ws of sockets) ws.terminate();
  await server.stop();
}
