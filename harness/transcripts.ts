/**
 * Recording what RoomClients deliver, and checking the guarantee that matters:
 * every client holds the same gap-free, duplicate-free transcript, equal to
 * the room's stored history.
 */
import { RoomClient, roomSocketUrl } from "../src/client/RoomClient.ts";
import type { Result } from "../src/protocol/validate.ts";
import type { RoomEvent } from "../src/protocol/frames.ts";

/** The id of a message `RoomClient.send` queued; throws if it refused the text. */
export function queuedId(sent: Result<{ id: string }>): string {
  if (!sent.ok) throw new Error(`send refused: ${sent.error.code} ${sent.error.message}`);
  return sent.value.id;
}

export interface Recorder {
  client: RoomClient;
  events: RoomEvent[];
  reconnects: number;
  /** Why the client stopped for good, if it did (it never should in these scenarios). */
  closed?: string;
}

export function recordingClient(baseUrl: string, room: string, name: string): Recorder {
  const client = new RoomClient({ url: roomSocketUrl(baseUrl, room), name, backoff: { initialMs: 100, maxMs: 1000 } });
  const recorder: Recorder = { client, events: [], reconnects: 0 };
  client.on("event", (event) => recorder.events.push(event));
  client.on("closed", (r) => (recorder.closed = `${r.code} ${r.reason}${r.error ? ` (${r.error.code}: ${r.error.message})` : ""}`));
  client.on("state", (state) => {
    if (state === "reconnecting") recorder.reconnects += 1;
  });
  return recorder;
}

/**
 * Every stored event of a room, via a fresh connection replaying from seq 0,
 * then paging forward with `history after` while the room capped the replay.
 */
export async function storedHistory(baseUrl: string, room: string): Promise<RoomEvent[]> {
  const ws = new WebSocket(roomSocketUrl(baseUrl, room));
  const events: RoomEvent[] = [];
  await new Promise<void>((resolve, reject) => {
    let lastSeq = Number.POSITIVE_INFINITY;
    // With `more`, the replay stops at replayThrough; then pages of `history after` carry the rest.
    let replayThrough: number | undefined;
    let paging = false;
    const timer = setTimeout(() => reject(new Error("history replay timed out")), 20_000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const have = () => events.at(-1)?.seq ?? 0;
    const next = () => ws.send(JSON.stringify({ type: "history", after: have(), limit: 100 }));
    ws.addEventListener("open", () => ws.send(JSON.stringify({ type: "join", name: "auditor", since: 0 })));
    ws.addEventListener("message", (message) => {
      const frame = JSON.parse(String(message.data)) as { type: string; events?: RoomEvent[]; lastSeq?: number; replayThrough?: number; hasMore?: boolean };
      if (frame.type === "welcome") {
        lastSeq = frame.lastSeq ?? 0;
        replayThrough = frame.replayThrough;
      }
      if (frame.type === "history") {
        events.push(...(frame.events ?? []));
        if (frame.hasMore) next();
        else done();
        return;
      }
      if (frame.type !== "welcome" && frame.type !== "events") return;
      // Live events (seq beyond the replay) are left out while paging: the pages bring them in order.
      events.push(...(frame.events ?? []).filter((e) => !paging && (replayThrough === undefined || e.seq <= replayThrough)));
      if (replayThrough !== undefined && !paging && have() >= replayThrough) {
        paging = true;
        next();
      } else if (replayThrough === undefined && events.length > 0 && have() >= lastSeq) done();
    });
    ws.addEventListener("error", () => reject(new Error("history replay failed")));
  });
  ws.close(1000);
  // The auditor's own joined event is last; it is not part of what was audited.
  return events.filter((e) => !(e.type === "joined" && e.member.name === "auditor"));
}

export const messageIds = (events: RoomEvent[]): string[] =>
  events.flatMap((e) => (e.type === "message" && e.id !== undefined ? [e.id] : []));

/** Problems with one transcript: gaps or repeats in seq. */
export function seqProblems(events: RoomEvent[]): string[] {
  const problems: string[] = [];
  for (let i = 1; i < events.length; i++) {
    const [prev, cur] = [events[i - 1]!.seq, events[i]!.seq];
    if (cur !== prev + 1) problems.push(`seq ${prev} followed by ${cur}`);
  }
  return problems;
}
