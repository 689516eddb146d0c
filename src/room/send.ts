/**
 * Writing frames to sockets: only frames made by src/protocol/encode.ts fit.
 *
 * A plain-text socket (`?format=text`, see src/protocol/plainText.ts) gets the
 * same frames as lines a person reads: the translation happens here, at the
 * last step, so nothing else in the room needs to know such sockets exist.
 * It costs JSON sockets one comparison per send while the room object has
 * never held a text socket, and a WeakSet lookup after.
 */
import type { Json } from "../protocol/encode.ts";
import type { ServerFrame } from "../protocol/frames.ts";
import { frameLines } from "../protocol/plainText.ts";

const textSockets = new WeakSet<WebSocket>();
/** Whether any socket was ever marked (an isolate-wide hint: most rooms never see one). */
let anyText = false;

/** From now on, `ws` reads lines instead of JSON. */
export function markText(ws: WebSocket): void {
  textSockets.add(ws);
  anyText = true;
}

/** Sends without throwing: a socket may close between a read and a write. */
export function send(ws: WebSocket, frame: Json<ServerFrame>): void {
  try {
    if (anyText && textSockets.has(ws)) {
      for (const line of frameLines(JSON.parse(frame) as ServerFrame)) ws.send(line);
      return;
    }
    ws.send(frame);
  } catch {
    // The close handler cleans up after it.
  }
}

/** Sends a line to a plain-text socket as it is (answers to /who, /help). */
export function sendLine(ws: WebSocket, line: string): void {
  try {
    ws.send(line);
  } catch {
    // as above
  }
}
