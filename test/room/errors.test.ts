import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ErrorFrame } from "../../src/protocol/frames.ts";
import { join, openSocket, sleep, uniqueRoom, type TestSocket } from "../workerd/socket.ts";

async function lastSeq(room: string): Promise<number> {
  return (await env.ROOMS.get(env.ROOMS.idFromName(room)).info()).lastSeq;
}

describe("error frames", () => {
  it("refuses every kind of bad frame with its code, stores nothing, and keeps the connection", async () => {
    const room = uniqueRoom();
    const { socket, welcome } = await join(room, "alice");
    const cases: [frame: string | ArrayBuffer | Record<string, unknown>, code: ErrorFrame["code"], ref?: string][] = [
      ["{not json", "bad_frame"],
      [new Uint8Array([1, 2, 3]).buffer, "bad_frame"],
      [JSON.stringify({ type: "message", text: "x".repeat(17_000) }), "bad_frame"],
      ["[]", "bad_frame"],
      [{ type: "dance" }, "bad_request"],
      [{ type: "join", name: "again" }, "bad_request"],
      [{ type: "message", text: "hi", id: "bad id!" }, "bad_request"],
      [{ type: "history", before: "soon" }, "bad_request"],
      [{ type: "rename", name: "" }, "name_invalid"],
      [{ type: "rename", name: "evil\u202Eeman" }, "name_invalid"],
      [{ type: "message", text: "   ", id: "e-1" }, "text_empty", "e-1"],
      [{ type: "message", text: "y".repeat(2001), id: "e-2" }, "text_too_long", "e-2"],
      [{ type: "message", text: "\u001b[2J", id: "e-3" }, "text_invalid", "e-3"],
    ];
    for (const [frame, code, ref] of cases) {
      socket.send(frame);
      const error = await socket.nextOf("error");
      expect(error.code, JSON.stringify(frame).slice(0, 60)).toBe(code);
      expect(error.message).toBeTruthy();
      expect(error.ref).toBe(ref);
      await sleep(210); // stay under the rate limit: this test is about the codes
    }
    expect(await lastSeq(room)).toBe(welcome.lastSeq);
    socket.send({ type: "message", text: "still here" });
    expect(await socket.nextOf("message")).toMatchObject({ text: "still here", seq: welcome.lastSeq + 1 });
    socket.close(1000);
  }, 15_000);

  it("says not_joined to frames before join, and name_invalid to a bad join", async () => {
    const room = uniqueRoom();
    const socket = await openSocket(room);
    socket.send({ type: "message", text: "hello?", id: "early" });
    expect(await socket.nextOf("error")).toMatchObject({ code: "not_joined", ref: "early" });
    socket.send({ type: "typing" });
    expect((await socket.nextOf("error")).code).toBe("not_joined");
    socket.send({ type: "join", name: "\u0000" });
    expect((await socket.nextOf("error")).code).toBe("name_invalid");
    expect(await lastSeq(room)).toBe(0);
    const welcome = await socket.joinAs("alice");
    expect(welcome.lastSeq).toBe(1);
    socket.close(1000);
  });

  it("rate limits a burst with rate_limited and retryAfterMs, storing none of the excess", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    for (let i = 0; i < 14; i++) alice.socket.send({ type: "message", text: `burst ${i}`, id: `b${i}` });
    const answered = (s: TestSocket, type: string) => s.frames.filter((f) => f.type === type).length;
    await alice.socket.until(() => answered(alice.socket, "message") + answered(alice.socket, "error") >= 14, "an answer to each of the 14");
    const frames = await alice.socket.drain();
    const errors = frames.filter((f): f is ErrorFrame => f.type === "error");
    // The join used one token, so 9 messages pass and 5 are refused.
    expect(frames.filter((f) => f.type === "message")).toHaveLength(9);
    expect(errors).toHaveLength(5);
    for (const [k, e] of errors.entries()) {
      expect(e).toMatchObject({ code: "rate_limited", ref: `b${9 + k}` });
      expect(e.retryAfterMs).toBeGreaterThan(0);
      expect(e.retryAfterMs).toBeLessThanOrEqual(200);
    }
    // Bob got the 9 and nothing else; the room is fine for him.
    await bob.socket.until(() => answered(bob.socket, "message") >= 9, "the 9 at bob");
    expect((await bob.socket.drain()).filter((f) => f.type === "message")).toHaveLength(9);
    bob.socket.send({ type: "message", text: "unaffected" });
    expect(await alice.socket.nextOf("message")).toMatchObject({ text: "unaffected" });
    alice.socket.close(1000);
    bob.socket.close(1000);
  });

  it("closes a connection that keeps flooding with 1008, announcing it left", async () => {
    const room = uniqueRoom();
    const flooder = await join(room, "flooder");
    const bob = await join(room, "bob");
    for (let i = 0; i < 60; i++) flooder.socket.send({ type: "message", text: `flood ${i}` });
    const closed = await flooder.socket.waitClosed();
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/rate limit/);
    expect(await bob.socket.nextOf("left")).toMatchObject({ member: flooder.welcome.self });
    bob.socket.close(1000);
  });
});

describe("a flood", () => {
  it("does not hold up the others: their messages keep arriving promptly while flooders are refused and closed", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const received = (async () => {
      for (let i = 0; i < 5; i++) {
        const m = await alice.socket.nextMessage((e) => e.from.name === "bob", 5000);
        latencies.push(Date.now() - sentAt.get(m.text)!);
      }
    })();
    const flooders = [];
    for (let round = 0; round < 5; round++) {
      // Fresh flooders every round (a closed one is replaced), each far over its rate.
      const wave = [];
      for (let i = 0; i < 3; i++) wave.push(await join(room, `flooder${round}-${i}`));
      for (const f of wave) {
        for (let i = 0; i < 20; i++) f.socket.send(i % 2 ? "garbage" : { type: "message", text: `flood ${round}.${i}` });
      }
      const text = `bob ${round}`;
      sentAt.set(text, Date.now());
      bob.socket.send({ type: "message", text, id: `bob-${round}` });
      // Closing takes FLOOD_STRIKES (30) refusals in a row, and a token earned meanwhile (one per
      // 200 ms) starts the count again: plenty more, for a room slowed down by a busy machine.
      for (const f of wave) {
        for (let i = 0; i < 60; i++) f.socket.send({ type: "message", text: `more flood ${round}.${i}` });
      }
      flooders.push(...wave);
      await sleep(50);
    }
    await received;
    expect(latencies).toHaveLength(5);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    // Every flooder was refused, then closed with 1008.
    for (const f of flooders) {
      expect(f.socket.frames.some((fr) => fr.type === "error" && fr.code === "rate_limited")).toBe(true);
      expect((await f.socket.waitClosed(15_000)).code).toBe(1008);
    }
    alice.socket.close(1000);
    bob.socket.close(1000);
  });
});
