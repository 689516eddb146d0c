/** Writing frames to sockets. */
import type { StoredEvent } from "./eventLog.ts";

/** Sends without throwing: a socket may close between a read and a write. */
export function send(ws: WebSocket, frame: string): void {
  try {
    ws.send(frame);
  } catch {
    // The close handler cleans up after it.
  }
}

/** Stored events' JSON, comma-joined, for splicing into an array in a frame. */
export function joinJson(events: readonly StoredEvent[], start: number, end: number): string {
  let out = "";
  for (let i = start; i < end && i < events.length; i++) out += i === start ? events[i]!.json : `,${events[i]!.json}`;
  return out;
}
