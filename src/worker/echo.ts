/**
 * `/echo`: a diagnostic WebSocket that sends every frame straight back.
 *
 * It takes the room socket's limits (docs/protocol.md): a frame over
 * `FRAME_MAX_BYTES` gets a `bad_frame` error frame instead of its echo, a
 * frame over the rate (`RATE_BURST`, then `RATE_PER_SECOND`) gets
 * `rate_limited` with `retryAfterMs`, and `FLOOD_STRIKES` refusals in a row
 * close the socket with 1008, so it cannot be used as an open reflector.
 */
import { errorFrame } from "../protocol/encode.ts";
import { CLOSE_CODES } from "../protocol/frames.ts";
import type { Limits } from "../protocol/limits.ts";
import { takeToken } from "../protocol/rateLimit.ts";
import { exceedsBytes } from "../protocol/validate.ts";

export type EchoLimits = Pick<Limits, "FRAME_MAX_BYTES" | "RATE_BURST" | "RATE_PER_SECOND" | "FLOOD_STRIKES">;

export function handleEcho(limits: EchoLimits): Response {
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  // The standard default is Blob; ArrayBuffer can be sent straight back.
  server.binaryType = "arraybuffer";
  const rule = { burst: limits.RATE_BURST, perSecond: limits.RATE_PER_SECOND };
  let tat = 0;
  let strikes = 0;
  // Close frames are answered by the runtime (web_socket_auto_reply_to_close).
  server.addEventListener("message", (event) => {
    const data: string | ArrayBuffer = event.data;
    const decision = takeToken(tat, Date.now(), rule);
    if (!decision.allowed) {
      strikes += 1;
      if (strikes >= limits.FLOOD_STRIKES) {
        server.close(CLOSE_CODES.policy, "too many frames");
        return;
      }
      server.send(errorFrame("rate_limited", "slow down", { retryAfterMs: decision.retryAfterMs }));
      return;
    }
    tat = decision.tat;
    strikes = 0;
    if (typeof data === "string" ? exceedsBytes(data, limits.FRAME_MAX_BYTES) : data.byteLength > limits.FRAME_MAX_BYTES) {
      server.send(errorFrame("bad_frame", `frame is larger than ${limits.FRAME_MAX_BYTES} bytes`));
      return;
    }
    server.send(data);
  });
  return new Response(null, { status: 101, webSocket: client });
}
