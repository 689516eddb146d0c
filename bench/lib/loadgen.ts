/**
 * The load generator: N WebSocket clients (the `ws` package) in one room of
 * one system, the same code for every system. A `Framing` adapter says how a
 * client joins (Parley: a join frame, welcomed by the welcome; the relays:
 * welcomed at open); everything else is shared:
 *
 * - every message is `{"type":"message","text":"bench t=<send time> …","id":"<phase>-<sender>-<n>"}`,
 *   a valid Parley message frame that the relays forward as-is;
 * - a delivery is a received `message` (alone or inside an `events` batch)
 *   whose id this client expects and has not had yet; its latency is
 *   receive time − send time, both read from this process's monotonic clock;
 * - a sender keeps at most W messages in flight: one is acknowledged when the
 *   sender receives its own message back (every system broadcasts to the
 *   sender too) or an error frame that names it (`ref`);
 * - error frames, failed connects and closes nobody asked for are counted,
 *   never dropped; lost deliveries are expected − received.
 */
import WebSocket from "ws";

export interface Framing {
  readonly name: string;
  /** Query string of client `index`'s socket URL ("" for none). */
  joinQuery(index: number): string;
  /** False: a client counts as welcomed at open (no protocol). */
  readonly awaitsWelcome: boolean;
}

/** Joins the way the reference client does on a first connect: in the socket URL. */
export const PARLEY_FRAMING: Framing = {
  name: "parley protocol v1 (join in the URL)",
  joinQuery: (index) => `?name=c${index}`,
  awaitsWelcome: true,
};

export const RELAY_FRAMING: Framing = {
  name: "raw frames (welcomed = open)",
  joinQuery: () => "",
  awaitsWelcome: false,
};

/** The relay that sends each newcomer a welcome frame: welcomed at that frame, like Parley. */
export const WELCOMING_RELAY_FRAMING: Framing = {
  name: "raw frames (welcomed = the relay's welcome frame)",
  joinQuery: () => "",
  awaitsWelcome: true,
};

/** Frames and bytes received, errors seen: running totals, diffed per phase. */
export interface Counters {
  frames: number;
  bytes: number;
  errors: number;
  errorCodes: Record<string, number>;
  duplicates: number;
  unexpected: number;
}

export interface ConnectResult {
  requested: number;
  welcomed: number;
  failed: number;
  /** First connect started → last welcome, ms. */
  durationMs: number;
  /** welcomed / duration. */
  perSecond: number;
  /** Per-client time from opening the socket to its welcome (ms). */
  welcomeMs: Percentiles;
  /** First connect started → last frame any client received before the room fell silent (ms). */
  settledMs: number;
  received: { frames: number; bytes: number };
}

export interface MessageResult {
  senders: number;
  perSender: number;
  window: number;
  sent: number;
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  /** First send → last delivery, ms. */
  durationMs: number;
  deliveriesPerSecond: number;
  messagesPerSecond: number;
  latencyMs: Percentiles;
  received: { frames: number; bytes: number };
  timedOut: boolean;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  count: number;
}

interface Client {
  index: number;
  ws: WebSocket;
  openedAt: number;
  welcomedAt: number;
  closing: boolean;
  closed: boolean;
}

interface Phase {
  tag: string;
  senders: number;
  perSender: number;
  window: number;
  sendTimes: Float64Array;
  /** Per client: which (sender, n) it already received. */
  received: Map<number, Uint8Array>;
  latencies: Float64Array;
  delivered: number;
  lastDeliveryAt: number;
  /** Per sender: next n to send, messages in flight. */
  next: Int32Array;
  inFlight: Int32Array;
  senderClients: number[];
  onProgress: () => void;
}

const FRAME_TYPE_OFFSET = 9; // after `{"type":"`
const CH = (c: string) => c.charCodeAt(0);
const MESSAGE_MARK = Buffer.from('"type":"message"');

export class LoadRoom {
  readonly url: string;
  readonly framing: Framing;
  readonly clients: Client[] = [];
  readonly counters: Counters = { frames: 0, bytes: 0, errors: 0, errorCodes: {}, duplicates: 0, unexpected: 0 };
  lastFrameAt = 0;
  #phase: Phase | undefined;
  #phaseCount = 0;
  #onWelcome: ((client: Client) => void) | undefined;

  constructor(baseUrl: string, room: string, framing: Framing) {
    this.url = `${baseUrl.replace(/^http/, "ws")}/api/rooms/${room}/ws`;
    this.framing = framing;
  }

  /** Opens `count` more clients, at most `concurrency` handshakes/joins at a time. */
  async connect(count: number, options: { concurrency: number; timeoutMs: number }): Promise<ConnectResult> {
    const before = this.#snapshot();
    const start = performance.now();
    const welcomeTimes: number[] = [];
    let started = 0;
    let finished = 0;
    let failed = 0;
    let lastWelcome = start;

    await new Promise<void>((resolve) => {
      const deadline = setTimeout(() => {
        failed += count - finished;
        finished = count;
        resolve();
      }, options.timeoutMs);
      const done = (ok: boolean) => {
        finished++;
        if (!ok) failed++;
        if (finished === count) {
          clearTimeout(deadline);
          resolve();
        } else {
          launch();
        }
      };
      this.#onWelcome = (client) => {
        client.welcomedAt = performance.now();
        lastWelcome = client.welcomedAt;
        welcomeTimes.push(client.welcomedAt - client.openedAt);
        done(true);
      };
      const launch = () => {
        while (started < count && started - finished < options.concurrency) {
          started++;
          this.#open(this.clients.length, () => done(false));
        }
      };
      if (count === 0) resolve();
      else launch();
    });
    this.#onWelcome = undefined;

    // Let the room fall silent (e.g. the join storm's `joined` broadcasts) before the next phase.
    await this.#waitSilence(300, 60_000);
    const after = this.#snapshot();
    const welcomed = count - failed;
    const durationMs = lastWelcome - start;
    return {
      requested: count,
      welcomed,
      failed,
      durationMs: round(durationMs),
      perSecond: durationMs > 0 ? round((welcomed / durationMs) * 1000) : 0,
      welcomeMs: percentiles(Float64Array.from(welcomeTimes), welcomeTimes.length),
      settledMs: round(Math.max(this.lastFrameAt, lastWelcome) - start),
      received: { frames: after.frames - before.frames, bytes: after.bytes - before.bytes },
    };
  }

  /**
   * Clients 0..senders-1 each send `perSender` messages, at most `window` in
   * flight; every welcomed client expects every message. Ends when all
   * deliveries arrived, or after `idleMs` without one, or at `maxMs`.
   */
  async messages(options: { senders: number; perSender: number; window: number; idleMs: number; maxMs: number }): Promise<MessageResult> {
    const { senders, perSender, window } = options;
    const live = this.clients.filter((c) => c.welcomedAt > 0 && !c.closed);
    const total = senders * perSender;
    const phase: Phase = {
      tag: `p${++this.#phaseCount}`,
      senders,
      perSender,
      window,
      sendTimes: new Float64Array(total),
      received: new Map(live.map((c) => [c.index, new Uint8Array(total)])),
      latencies: new Float64Array(total * live.length),
      delivered: 0,
      lastDeliveryAt: 0,
      next: new Int32Array(senders),
      inFlight: new Int32Array(senders),
      senderClients: live.slice(0, senders).map((c) => c.index),
      onProgress: () => {},
    };
    const expected = total * this.clients.length; // clients that never got in count as lost
    const before = this.#snapshot();
    this.#phase = phase;
    const start = performance.now();
    let timedOut = false;
    await new Promise<void>((resolve) => {
      let idleTimer: NodeJS.Timeout;
      const finish = () => {
        clearTimeout(idleTimer);
        clearTimeout(maxTimer);
        resolve();
      };
      const maxTimer = setTimeout(() => {
        timedOut = true;
        finish();
      }, options.maxMs);
      const armIdle = () => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => {
          timedOut = true;
          finish();
        }, options.idleMs);
      };
      phase.onProgress = () => {
        if (phase.delivered >= total * live.length) finish();
        else armIdle();
      };
      armIdle();
      if (phase.senderClients.length === 0 || total === 0) finish();
      for (let s = 0; s < phase.senderClients.length; s++) this.#pump(phase, s);
    });
    this.#phase = undefined;
    const after = this.#snapshot();
    let sent = 0;
    for (const n of phase.next) sent += n;
    const durationMs = (phase.lastDeliveryAt || performance.now()) - start;
    const delivered = phase.delivered;
    return {
      senders,
      perSender,
      window,
      sent,
      expected,
      delivered,
      lost: expected - delivered,
      duplicates: after.duplicates - before.duplicates,
      durationMs: round(durationMs),
      deliveriesPerSecond: durationMs > 0 ? round((delivered / durationMs) * 1000) : 0,
      messagesPerSecond: durationMs > 0 ? round((sent / durationMs) * 1000) : 0,
      latencyMs: percentiles(phase.latencies, delivered),
      received: { frames: after.frames - before.frames, bytes: after.bytes - before.bytes },
      timedOut,
    };
  }

  /** Says goodbye (close 1000) on every socket and waits for the closes, at most `timeoutMs`. */
  async close(timeoutMs = 15_000): Promise<void> {
    const open = this.clients.filter((c) => !c.closed);
    await new Promise<void>((resolve) => {
      let left = open.length;
      if (left === 0) resolve();
      const timer = setTimeout(() => {
        for (const c of open) if (!c.closed) c.ws.terminate();
        resolve();
      }, timeoutMs);
      for (const c of open) {
        c.closing = true;
        c.ws.once("close", () => {
          if (--left === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
        try {
          c.ws.close(1000);
        } catch {
          c.ws.terminate();
        }
      }
    });
  }

  /** Sends raw text on one client (for the cost pass: duplicate resends). */
  sendRaw(index: number, text: string): void {
    this.clients[index]?.ws.send(text);
  }

  #open(index: number, onFail: () => void): void {
    const ws = new WebSocket(this.url + this.framing.joinQuery(index), { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: 30_000 });
    const client: Client = { index, ws, openedAt: performance.now(), welcomedAt: 0, closing: false, closed: false };
    this.clients.push(client);
    let failedOnce = false;
    let errored = false;
    const fail = (code: string) => {
      errored = true;
      this.#error(code);
      if (client.welcomedAt === 0 && !failedOnce) {
        failedOnce = true;
        onFail();
      }
    };
    ws.on("open", () => {
      if (!this.framing.awaitsWelcome) this.#onWelcome?.(client);
    });
    ws.on("message", (data: Buffer, isBinary: boolean) => this.#onFrame(client, data, isBinary));
    ws.on("unexpected-response", (_req, res) => {
      fail(`http_${res.statusCode ?? "?"}`);
      ws.terminate();
    });
    ws.on("error", (error: Error & { code?: string }) => fail(`socket_${error.code ?? error.message}`));
    ws.on("close", (code: number) => {
      client.closed = true;
      // One failure counts once: a socket error is followed by its close.
      if (!client.closing && !errored) fail(`closed_${code}`);
    });
  }

  #onFrame(client: Client, data: Buffer, isBinary: boolean): void {
    const now = performance.now();
    this.counters.frames++;
    this.counters.bytes += data.length;
    this.lastFrameAt = now;
    if (isBinary) {
      this.counters.unexpected++;
      return;
    }
    // Classify by the first bytes so that a storm of `joined` frames costs no JSON parsing.
    const a = data[FRAME_TYPE_OFFSET];
    const b = data[FRAME_TYPE_OFFSET + 1];
    const typed = data.length > 11 && data[0] === CH("{") && data[2] === CH("t") && data[7] === CH(":");
    if (!typed) {
      if (data.toString() !== "pong") this.counters.unexpected++;
      return;
    }
    if (a === CH("m")) {
      this.#onMessage(client, JSON.parse(data.toString()) as { id?: string }, now);
    } else if (a === CH("e") && b === CH("v")) {
      // A batch of presence events (the join storm) holds no message: skip parsing it.
      if (data.indexOf(MESSAGE_MARK) < 0) return;
      const batch = JSON.parse(data.toString()) as { events?: { type: string; id?: string }[] };
      for (const event of batch.events ?? []) if (event.type === "message") this.#onMessage(client, event, now);
    } else if (a === CH("e") && b === CH("r")) {
      const error = JSON.parse(data.toString()) as { code?: string; ref?: string };
      this.#error(`server_${error.code ?? "?"}`);
      if (error.ref !== undefined) this.#onRefused(client, error.ref);
    } else if (a === CH("w")) {
      if (client.welcomedAt === 0) this.#onWelcome?.(client);
      if (data.indexOf(MESSAGE_MARK) >= 0) {
        const welcome = JSON.parse(data.toString()) as { events?: { type: string; id?: string }[] };
        for (const event of welcome.events ?? []) if (event.type === "message") this.#onMessage(client, event, now);
      }
    }
    // Anything else (joined, left, typing, …) only counts as a frame.
  }

  #onMessage(client: Client, event: { id?: string }, now: number): void {
    const phase = this.#phase;
    const parsed = phase && event.id ? parseId(phase, event.id) : undefined;
    if (!phase || !parsed) {
      this.counters.unexpected++;
      return;
    }
    const [sender, n] = parsed;
    const slot = sender * phase.perSender + n;
    const seen = phase.received.get(client.index);
    if (!seen) {
      this.counters.unexpected++; // a client that joined after the phase began
      return;
    }
    if (seen[slot] === 1) {
      this.counters.duplicates++;
      return;
    }
    seen[slot] = 1;
    phase.latencies[phase.delivered++] = now - (phase.sendTimes[slot] as number);
    phase.lastDeliveryAt = now;
    if (phase.senderClients[sender] === client.index) {
      phase.inFlight[sender]!--;
      this.#pump(phase, sender);
    }
    phase.onProgress();
  }

  #onRefused(client: Client, ref: string): void {
    const phase = this.#phase;
    const parsed = phase ? parseId(phase, ref) : undefined;
    if (!phase || !parsed || phase.senderClients[parsed[0]] !== client.index) return;
    phase.inFlight[parsed[0]]!--;
    this.#pump(phase, parsed[0]);
    phase.onProgress();
  }

  #pump(phase: Phase, sender: number): void {
    const client = this.clients[phase.senderClients[sender] as number];
    if (!client || client.closed) return;
    while ((phase.inFlight[sender] as number) < phase.window && (phase.next[sender] as number) < phase.perSender) {
      const n = phase.next[sender]!++;
      phase.inFlight[sender]!++;
      const at = performance.now();
      phase.sendTimes[sender * phase.perSender + n] = at;
      const sentAt = (performance.timeOrigin + at).toFixed(3);
      client.ws.send(`{"type":"message","text":"bench t=${sentAt} n=${n}","id":"${phase.tag}-${sender}-${n}"}`);
    }
  }

  #error(code: string): void {
    this.counters.errors++;
    this.counters.errorCodes[code] = (this.counters.errorCodes[code] ?? 0) + 1;
  }

  #snapshot(): Counters {
    return { ...this.counters, errorCodes: { ...this.counters.errorCodes } };
  }

  async #waitSilence(quietMs: number, maxMs: number): Promise<void> {
    const start = performance.now();
    for (;;) {
      const now = performance.now();
      if (now - Math.max(this.lastFrameAt, start) >= quietMs || now - start > maxMs) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function parseId(phase: Phase, id: string): [number, number] | undefined {
  const dash1 = id.indexOf("-");
  const dash2 = id.indexOf("-", dash1 + 1);
  if (dash1 < 0 || dash2 < 0 || id.slice(0, dash1) !== phase.tag) return undefined;
  const sender = Number(id.slice(dash1 + 1, dash2));
  const n = Number(id.slice(dash2 + 1));
  if (!(sender >= 0 && sender < phase.senders && n >= 0 && n < phase.perSender)) return undefined;
  return [sender, n];
}

export function percentiles(samples: Float64Array, count: number): Percentiles {
  if (count === 0) return { p50: NaN, p90: NaN, p99: NaN, max: NaN, count: 0 };
  const sorted = samples.slice(0, count).sort();
  const at = (q: number) => round(sorted[Math.min(count - 1, Math.ceil(q * count) - 1)] as number, 3);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted[count - 1] as number, 3), count };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
