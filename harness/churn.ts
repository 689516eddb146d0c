/**
 * The churn scenario: many clients in one room, some of them sending with
 * client ids, while connections are reset at random (no close frame) and the
 * clients reconnect, resume with `since` and resend what was not
 * acknowledged. Used by test/e2e/churn.test.ts (small) and the benchmark (large).
 */
import { startChaosProxy } from "./chaosProxy.ts";
import { messageIds, queuedId, recordingClient, seqProblems, storedHistory, type Recorder } from "./transcripts.ts";
import { waitFor } from "./waitFor.ts";

export interface ChurnOptions {
  serverUrl: string;
  room: string;
  clients: number;
  senders: number;
  messagesPerSender: number;
  /** Reset 1–3 random connections this often while sending. */
  killEveryMs: number;
  timeoutMs: number;
}

export interface ChurnReport {
  sent: number;
  stored: number;
  kills: number;
  reconnects: number;
  /** Clients whose transcript differs from the stored history. */
  divergent: number;
  duplicates: number;
  gaps: string[];
  /** Sent ids missing from the stored history. */
  missing: number;
  elapsedMs: number;
}

export async function runChurn(options: ChurnOptions): Promise<ChurnReport> {
  const started = Date.now();
  const proxy = await startChaosProxy(options.serverUrl);
  const clients: Recorder[] = [];
  try {
    for (let i = 0; i < options.clients; i++) {
      const recorder = recordingClient(proxy.url, options.room, `churn${i}`);
      recorder.client.connect();
      clients.push(recorder);
    }
    await waitFor(() => clients.every((c) => c.client.state === "live"), 30_000, "every client live");
    const firstSeq = Math.max(...clients.map((c) => c.client.lastSeq ?? 0));

    let kills = 0;
    let sending = true;
    const chaos = (async () => {
      while (sending) {
        await new Promise((r) => setTimeout(r, options.killEveryMs));
        if (sending) kills += proxy.killRandom(1 + Math.floor(Math.random() * 3));
      }
    })();
    const sentIds: string[] = [];
    const senders = clients.slice(0, options.senders);
    for (let m = 0; m < options.messagesPerSender; m++) {
      for (const [s, sender] of senders.entries()) sentIds.push(queuedId(sender.client.send(`sender ${s} message ${m}`)));
      if (m % 10 === 9) await new Promise((r) => setTimeout(r, 20));
    }
    // A client that stopped for good will never catch up: say why at once.
    const noneClosed = () => {
      const closed = clients.find((c) => c.closed !== undefined);
      if (closed) throw new Error(`${closed.client.self?.name ?? "a client"} stopped for good: ${closed.closed}`);
      return true;
    };
    await waitFor(
      () => noneClosed() && senders.every((s) => s.client.outbox.length === 0),
      options.timeoutMs,
      "every message acknowledged",
      () => senders.map((s) => `${s.client.self?.name ?? "?"} ${s.client.state}${s.closed ? ` (${s.closed})` : ""}, ${s.client.outbox.length} unacknowledged`).join("; "),
    );
    sending = false;
    await chaos;
    const expected = new Set(sentIds);
    const held = (c: Recorder) => messageIds(c.events).filter((id) => expected.has(id)).length;
    await waitFor(
      () => noneClosed() && clients.every((c) => c.client.state === "live" && held(c) >= sentIds.length),
      options.timeoutMs,
      "every client holding every message",
      () =>
        clients
          .filter((c) => c.client.state !== "live" || held(c) < sentIds.length)
          .map((c) => `${c.client.self?.name ?? "?"} ${c.client.state}${c.closed ? ` (${c.closed})` : ""} lastSeq=${c.client.lastSeq} holds ${held(c)}/${sentIds.length}, ${c.reconnects} reconnects, last event seq ${c.events.at(-1)?.seq}`)
          .join("; "),
    );

    const history = (await storedHistory(options.serverUrl, options.room)).filter((e) => e.seq > firstSeq);
    const reference = JSON.stringify(history);
    // Clients also see the auditor arrive; compare what was audited.
    const lastAudited = history.at(-1)?.seq ?? firstSeq;
    const storedIds = messageIds(history);
    let divergent = 0;
    const gaps: string[] = [];
    for (const c of clients) {
      const mine = c.events.filter((e) => e.seq > firstSeq && e.seq <= lastAudited);
      if (JSON.stringify(mine) !== reference) divergent += 1;
      gaps.push(...seqProblems(mine).map((p) => `${c.client.self?.name}: ${p}`));
    }
    return {
      sent: sentIds.length,
      stored: storedIds.length,
      kills,
      reconnects: clients.reduce((sum, c) => sum + c.reconnects, 0),
      divergent,
      duplicates: storedIds.length - new Set(storedIds).size,
      gaps,
      missing: sentIds.filter((id) => !storedIds.includes(id)).length,
      elapsedMs: Date.now() - started,
    };
  } finally {
    for (const c of clients) c.client.close();
    await proxy.close();
  }
}
