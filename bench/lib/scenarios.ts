/** The benchmark's scenarios, full size and `--quick` size. */

export type ScenarioId = "S1" | "S2" | "S3" | "S4" | "S5";

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** Clients in the room (every one receives every message). */
  clients: number;
  /** Clients 0..senders-1 send. */
  senders: number;
  /** Messages per sender. */
  perSender: number;
  /** At most this many messages in flight per sender. */
  window: number;
  /** The figure the targets are about. */
  headline: "latency" | "throughput" | "connect";
  /** Handshakes and joins in flight while connecting, when the scenario says (else --concurrency). */
  concurrency?: number;
  /** Only under `workerd serve` (and the Node relay): wrangler dev's proxy runs out of file descriptors near 4 900 sockets. */
  workerdOnly?: boolean;
}

const FULL: Scenario[] = [
  { id: "S1", title: "latency floor: 2 clients, 1 sender × 2000, W=1", clients: 2, senders: 1, perSender: 2000, window: 1, headline: "latency" },
  { id: "S2", title: "fan-out: 50 clients, 5 senders × 200, W=10", clients: 50, senders: 5, perSender: 200, window: 10, headline: "throughput" },
  { id: "S3", title: "large room: 500 clients, 1 sender × 100, W=5", clients: 500, senders: 1, perSender: 100, window: 5, headline: "throughput" },
  { id: "S4", title: "join storm: 2000 clients join one room, then one broadcast", clients: 2000, senders: 1, perSender: 1, window: 1, headline: "connect" },
  {
    id: "S5",
    title: "a room of 10 000: 10 000 clients join (100 in flight), then 1 sender × 100, W=5",
    clients: 10_000,
    senders: 1,
    perSender: 100,
    window: 5,
    headline: "throughput",
    concurrency: 100,
    workerdOnly: true,
  },
];

const QUICK: Scenario[] = [
  { id: "S1", title: "latency floor (quick): 2 clients, 1 sender × 100, W=1", clients: 2, senders: 1, perSender: 100, window: 1, headline: "latency" },
  { id: "S2", title: "fan-out (quick): 10 clients, 2 senders × 20, W=5", clients: 10, senders: 2, perSender: 20, window: 5, headline: "throughput" },
  { id: "S3", title: "large room (quick): 50 clients, 1 sender × 20, W=5", clients: 50, senders: 1, perSender: 20, window: 5, headline: "throughput" },
  { id: "S4", title: "join storm (quick): 100 clients join, then one broadcast", clients: 100, senders: 1, perSender: 1, window: 1, headline: "connect" },
  { id: "S5", title: "a big room (quick): 200 clients join, then 1 sender × 10, W=5", clients: 200, senders: 1, perSender: 10, window: 5, headline: "throughput", concurrency: 100, workerdOnly: true },
];

/** Untimed warm-up run before a system's first scenario (JIT, first object instantiation, sockets). */
export const WARMUP: Scenario = {
  id: "S2",
  title: "warm-up",
  clients: 10,
  senders: 2,
  perSender: 100,
  window: 5,
  headline: "throughput",
};

export function scenarios(quick: boolean, only?: readonly string[]): Scenario[] {
  const all = quick ? QUICK : FULL;
  if (!only || only.length === 0) return all;
  const wanted = new Set(only.map((s) => s.toUpperCase()));
  const unknown = [...wanted].filter((id) => !all.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(", ")} (have ${all.map((s) => s.id).join(", ")})`);
  return all.filter((s) => wanted.has(s.id));
}
