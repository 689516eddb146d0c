/** `/echo` keeps the room socket's origin check and limits: it is no open reflector. */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { HttpErrorBody } from "../../src/protocol/http.ts";
import { ORIGIN } from "../workerd/socket.ts";

/** A raw `/echo` socket that records what comes back and lets a test wait for it. */
async function openEcho(headers: Record<string, string> = {}) {
  const response = await exports.default.fetch(`${ORIGIN}/echo`, { headers: { Upgrade: "websocket", ...headers } });
  const ws = response.webSocket;
  if (!ws) throw new Error(`no WebSocket: HTTP ${response.status}`);
  ws.accept();
  ws.binaryType = "arraybuffer";
  const received: string[] = [];
  let closed: { code: number; reason: string } | undefined;
  let wake = () => {};
  ws.addEventListener("message", (event) => {
    received.push(typeof event.data === "string" ? event.data : `<${(event.data as ArrayBuffer).byteLength} bytes>`);
    wake();
  });
  ws.addEventListener("close", (event) => {
    closed = { code: event.code, reason: event.reason };
    wake();
  });
  /** Resolves once `done` holds; fails after 10 s. */
  const until = (done: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; received ${received.length}: ${received.slice(-3).join(" | ")}`)), 10_000);
      wake = () => {
        if (!done()) return;
        clearTimeout(timer);
        resolve();
      };
      wake();
    });
  return { ws, received, closed: () => closed, until };
}

const errors = (frames: string[], code: string) => frames.filter((frame) => frame.startsWith("{") && (JSON.parse(frame) as { code?: string }).code === code);

describe("/echo", () => {
  it("echoes text and binary frames for its own origin and for clients without one", async () => {
    for (const headers of [{}, { Origin: ORIGIN }] as Record<string, string>[]) {
      const echo = await openEcho(headers);
      echo.ws.send("hello");
      echo.ws.send(new Uint8Array([1, 2, 3]).buffer);
      await echo.until(() => echo.received.length === 2);
      expect(echo.received).toEqual(["hello", "<3 bytes>"]);
      echo.ws.close(1000);
    }
  });

  it("refuses a page on another origin with 403 before any socket is opened", async () => {
    const response = await exports.default.fetch(`${ORIGIN}/echo`, { headers: { Upgrade: "websocket", Origin: "https://evil.example" } });
    expect(response.status).toBe(403);
    expect(response.webSocket).toBeNull();
    expect(((await response.json()) as HttpErrorBody).error.code).toBe("origin_forbidden");
  });

  it("answers a frame over FRAME_MAX_BYTES with bad_frame instead of its echo, text or binary", async () => {
    const echo = await openEcho();
    // 16 KiB + 1 of UTF-8: 5462 three-byte characters are 16 386 bytes in 5462 UTF-16 units.
    echo.ws.send("€".repeat(5462));
    echo.ws.send(new Uint8Array(16 * 1024 + 1).buffer);
    echo.ws.send("x".repeat(16 * 1024));
    await echo.until(() => echo.received.length === 3);
    expect(errors(echo.received.slice(0, 2), "bad_frame")).toHaveLength(2);
    expect(echo.received[2]).toHaveLength(16 * 1024);
    echo.ws.close(1000);
  });

  it("refuses frames over the rate with rate_limited, and closes a flood with 1008", async () => {
    const echo = await openEcho();
    // RATE_BURST is 10 and FLOOD_STRIKES 30 in wrangler.toml: far more than both, sent at once.
    for (let i = 0; i < 200; i++) echo.ws.send(`frame ${i}`);
    await echo.until(() => echo.closed() !== undefined);
    expect(echo.closed()?.code).toBe(1008);
    const limited = errors(echo.received, "rate_limited");
    expect(limited.length).toBeGreaterThan(0);
    expect((JSON.parse(limited[0]!) as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    // The burst, and no more than a couple refilled, were echoed: far from the 200 sent.
    expect(echo.received.filter((frame) => frame.startsWith("frame ")).length).toBeLessThan(20);
  });
});
