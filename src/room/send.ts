/** Writing frames to sockets: only frames made by src/protocol/encode.ts fit. */
import type { Json } from "../protocol/encode.ts";
import type { ServerFrame } from "../protocol/frames.ts";

/** Sends without throwing: a socket may close between a read and a write. */
export function send(ws: WebSocket, frame: Json<ServerFrame>): void {
  try {
    ws.send(frame);
  } catch {
    // The close handler cleans up after it.
  }
}
