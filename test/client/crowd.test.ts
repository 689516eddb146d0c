/**
 * RoomClient in a crowd (CROWD_SIZE 3 here), against a real `wrangler dev`:
 * presence turns from a member list into a count and back, transcripts stay
 * gap-free, and the client stops sending typing notices nobody would get.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RoomClient, roomSocketUrl, type RoomPresence } from "../../src/client/RoomClient.ts";
import type { RoomEvent } from "../../src/protocol/frames.ts";
import { join, sleep, uniqueRoom } from "../support/node.ts";
import { startWranglerDev, type DevServer } from "../../harness/wranglerDev.ts";

let server: DevServer;
beforeAll(async () => {
  server = await startWranglerDev({ vars: { CROWD_SIZE: 3 } });
});
afterAll(async () => {
  await server?.stop();
});

async function until(condition: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe("RoomClient in a crowd", () => {
  it("follows presence from a list to a count and back, with a gap-free transcript", async () => {
    const room = uniqueRoom("crowd");
    const c = new RoomClient({ url: roomSocketUrl(server.url, room), name: "alice", backoff: { initialMs: 50, maxMs: 500 } });
    const seen: RoomPresence[] = [];
    const events: RoomEvent[] = [];
    c.on("presence", (p) => seen.push(p));
    c.on("event", (e) => events.push(e));
    c.connect();
    await until(() => c.state === "live", "alice live");
    const bob = await join(server.url, room, "bob");
    await until(() => c.presence.online === 2, "bob listed");
    expect(c.presence).toEqual({ members: [c.self, bob.welcome.self], online: 2, crowd: false });

    const carol = await join(server.url, room, "carol");
    await until(() => c.presence.crowd, "the crowd");
    expect(c.presence).toEqual({ members: [], online: 3, crowd: true });
    const dave = await join(server.url, room, "dave");
    await until(() => c.presence.online === 4, "dave counted");
    // Bob hears the same count (maybe a moment later): after it, nothing is due to him but what is sent below.
    await until(() => bob.socket.frames.some((f) => f.type === "presence" && f.online === 4), "dave counted at bob");

    // No typing frames from a client in a crowd: the room would drop them anyway.
    const sent = vi.spyOn(WebSocket.prototype, "send");
    const before = bob.socket.frames.length;
    c.typing();
    c.send("still chatting");
    await bob.socket.nextMessage((m) => m.text === "still chatting");
    expect(sent.mock.calls.map(([data]) => JSON.parse(String(data)).type)).toEqual(["message"]);
    sent.mockRestore();
    expect(bob.socket.frames.slice(before).map((f) => f.type)).toEqual(["message"]);

    for (const p of [dave, carol]) p.socket.close(1000);
    await until(() => !c.presence.crowd, "the list back");
    expect(c.presence).toEqual({ members: [c.self, bob.welcome.self], online: 2, crowd: false });
    bob.socket.close(1000);
    await until(() => c.presence.online === 1, "bob gone");
    expect(c.presence.members).toEqual([c.self]);

    expect(seen.map((p) => `${p.online}${p.crowd ? "c" : ""}`)).toEqual(["1", "2", "3c", "4c", "3c", "2", "1"]);
    expect(events.map((e) => `${e.seq}:${e.type}`)).toEqual(["1:joined", "2:joined", "3:message", "4:left"]);
    c.close();
  });
});
