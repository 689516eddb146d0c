/**
 * Recording what RoomClients deliver, and checking the guarantee that matters:
 * every client holds the same gap-free, duplicate-free transcript, equal to
 * the room's stored history.
 */
import { RoomClient, roomSocketUrl } from "../../src/client/RoomClient.ts";
import type { RoomEvent } from "../../src/protocol/frames.ts";

export interface Recorder {
  client: RoomClient;
  events: RoomEvent[];
  reconnects: number;
}

export function recordingClient(baseUrl: string, room: string, name: string): Recorder {
  const client = new RoomClient({ url: roomSocketUrl(baseUrl, room), name, backoff: { initialMs: 100, maxMs: 1000 } });
  const recorder: Recorder = { client, events: [], reconnects: 0 };
  client.on("event", (event) => recorder.events.push(event));
  client.on("state", (state) => {
    if (state === "reconnecting") recorder.reconnects += 1;
  });
  return recorder;
}

/** Every stored event of a room, via a fresh connection replaying from seq 0. */
export async function storedHistory(baseUrl: string, room: string): Promise<RoomEvent[]> {
  const ws = new WebSocket(roomSocketUrl(baseUrl, room));
  const events: RoomEvent[] = [];
  await new Promise<void>((resolve, reject) => {
    let lastSeq = Number.POSITIVE_INFINITY;
    const timer = setTimeout(() => reject(new Error("history replay timed out")), 20_000);
    ws.addEventListener("open", () => ws.send(JSON.stringify({ type: "join", name: "auditor", since: 0 })));
    ws.addEventListener("message", (message) => {
      const frame = JSON.parse(String(message.data)) as { type: string; events?: RoomEvent[]; lastSeq?: number };
      if (frame.type === "welcome") lastSeq = frame.lastSeq ?? 0;
      if (frame.type === "welcome" || frame.type === "events") events.push(...(frame.events ?? []));
      if (events.length > 0 && events.at(-1)!.seq >= lastSeq) {
        clearTimeout(timer);
        resolve();
      }
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

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
