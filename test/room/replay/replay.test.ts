/**
 * Replay caps (REPLAY_MAX_EVENTS 8, REPLAY_MAX_BYTES 1500) and the byte
 * budget per address (burst 6000, then 2000/s): one small frame must not make
 * the room send megabytes, and one client must not starve the others.
 */
import { describe, expect, it } from "vitest";
import type { RoomEvent } from "../../../src/protocol/frames.ts";
import { join, uniqueRoom } from "../../workerd/socket.ts";

/** A room with `count` messages from a writer, each about `size` bytes of text. */
async function roomWith(count: number, size = 20) {
  const room = uniqueRoom("replay");
  const writer = await join(room, "writer");
  for (let i = 0; i < count; i++) writer.socket.send({ type: "message", text: `${i}`.padEnd(size, ".") });
  await writer.socket.nextMessage((m) => m.text.startsWith(`${count - 1}.`) || m.text === `${count - 1}`);
  return { room, writer };
}

describe("a welcome's replay", () => {
  it("keeps the oldest events after since, up to the cap, and says more; history after pages on to the end", async () => {
    const { room, writer } = await roomWith(20);
    const reader = await join(room, "reader", { since: 0, address: "10.77.0.1" });
    const replay = reader.welcome.events;
    expect(replay.length).toBeLessThanOrEqual(8);
    expect(replay[0]!.seq).toBe(1);
    expect(reader.welcome.more).toBe(true);
    const all: RoomEvent[] = [...replay];
    for (;;) {
      reader.socket.send({ type: "history", after: all.at(-1)!.seq, limit: 8 });
      const page = await reader.socket.nextOf("history");
      all.push(...page.events);
      if (!page.hasMore) break;
    }
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: reader.welcome.lastSeq }, (_, i) => i + 1));
    writer.socket.close(1000);
    reader.socket.close(1000);
  });

  it("stops at REPLAY_MAX_BYTES however many events would fit the count", async () => {
    const { room, writer } = await roomWith(6, 600);
    const reader = await join(room, "reader", { since: 0, address: "10.77.0.2" });
    const bytes = reader.welcome.events.reduce((n, e) => n + JSON.stringify(e).length, 0);
    expect(bytes).toBeLessThanOrEqual(1500);
    expect(reader.welcome.events.length).toBeGreaterThan(0);
    expect(reader.welcome.more).toBe(true);
    writer.socket.close(1000);
    reader.socket.close(1000);
  });

  it("says nothing of more when the replay reached the end", async () => {
    const { room, writer } = await roomWith(3);
    const reader = await join(room, "reader", { since: 0, address: "10.77.0.3" });
    expect(reader.welcome.more).toBeUndefined();
    expect(reader.welcome.events.at(-1)!.seq).toBe(reader.welcome.lastSeq);
    writer.socket.close(1000);
    reader.socket.close(1000);
  });
});

describe("the byte budget of an address", () => {
  it("refuses history pages beyond it with rate_limited and retryAfterMs; another address is served", async () => {
    const { room, writer } = await roomWith(30, 400);
    const greedy = await join(room, "greedy", { address: "10.77.1.1" });
    const refusals = [];
    for (let i = 0; i < 10; i++) {
      greedy.socket.send({ type: "history", after: 0, limit: 8 });
      const answer = await greedy.socket.next((f) => f.type === "history" || f.type === "error");
      if (answer.type === "error") refusals.push(answer);
    }
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals[0]).toMatchObject({ code: "rate_limited", retryAfterMs: expect.any(Number) });
    // The connection carries on, and someone else's history is not affected.
    const other = await join(room, "other", { address: "10.77.1.2" });
    other.socket.send({ type: "history", after: 0, limit: 8 });
    expect((await other.socket.nextOf("history")).events.length).toBeGreaterThan(0);
    greedy.socket.send({ type: "message", text: "still here" });
    await other.socket.nextMessage((m) => m.text === "still here");
    for (const p of [writer, greedy, other]) p.socket.close(1000);
  });
});
