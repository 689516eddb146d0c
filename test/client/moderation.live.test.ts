/**
 * The shared client engine against a real `wrangler dev` with issue 13's
 * room: a capped replay paged through to the end (REPLAY_MAX_EVENTS set
 * small), with a message written before the join sent only after it and
 * stored once; slow mode holding messages back and sending them later
 * without losing one; kicked and banned clients stopping for good.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoomClient, roomSocketUrl, type ClosedReason, type ConnectionState } from "../../src/client/RoomClient.ts";
import { CLOSE_CODES, type ErrorFrame, type RoomEvent } from "../../src/protocol/frames.ts";
import { sleep, uniqueRoom } from "../support/node.ts";
import { startWranglerDev, type DevServer } from "../../harness/wranglerDev.ts";

const ADMIN_KEY = "live-admin-key-0123456789-abcdefghij";
const REPLAY_MAX_EVENTS = 7;
let server: DevServer;
const clients: RoomClient[] = [];

beforeAll(async () => {
  server = await startWranglerDev({ vars: { ADMIN_KEY, REPLAY_MAX_EVENTS, RATE_BURST: 1000, RATE_PER_SECOND: 1000 } });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

function client(room: string, name: string, options: { since?: number; ownerKey?: string } = {}) {
  const c = new RoomClient({ url: roomSocketUrl(server.url, room), name, backoff: { initialMs: 50, maxMs: 500 }, ...options });
  clients.push(c);
  const events: RoomEvent[] = [];
  const states: ConnectionState[] = [];
  const errors: ErrorFrame[] = [];
  const closed: ClosedReason[] = [];
  c.on("event", (e) => events.push(e));
  c.on("state", (s) => states.push(s));
  c.on("error", (e) => errors.push(e));
  c.on("closed", (r) => closed.push(r));
  return { c, events, states, errors, closed };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
const texts = (events: readonly RoomEvent[]) => events.flatMap((e) => (e.type === "message" && "text" in e ? [e.text] : []));
const seqs = (events: readonly RoomEvent[]) => events.map((e) => e.seq);
const range = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first + i);

describe("a capped replay", () => {
  it("pages through to the end in order, and sends what was written before joining only after it", async () => {
    const room = uniqueRoom("cap");
    const writer = client(room, "writer");
    writer.c.connect();
    for (let i = 1; i <= 40; i++) writer.c.send(`w${i}`);
    await until(() => writer.c.outbox.length === 0 && texts(writer.events).length === 40, "the writer's 40 messages");
    const lastSeq = writer.c.lastSeq!;

    // Resuming from the start: the room replays REPLAY_MAX_EVENTS, then says `more`.
    const reader = client(room, "reader", { since: 0 });
    let capped = false;
    reader.c.on("welcome", ({ welcome }) => (capped ||= welcome.more === true && welcome.events.length <= REPLAY_MAX_EVENTS));
    const early = reader.c.send("written before joining");
    expect(early.ok).toBe(true);
    reader.c.connect();
    await until(() => reader.c.outbox.length === 0, "the reader's message acknowledged");
    expect(capped).toBe(true);
    // Everything, in order, without gaps (its own joined event and message after the replay).
    expect(seqs(reader.events)).toEqual(range(1, reader.events.at(-1)!.seq));
    expect(texts(reader.events).slice(0, 40)).toEqual(range(1, 40).map((i) => `w${i}`));
    const mine = reader.events.filter((e) => e.type === "message" && "text" in e && e.text === "written before joining");
    expect(mine).toHaveLength(1);
    expect(mine[0]!.seq).toBeGreaterThan(lastSeq);
    // Nothing dropped the connection on the way (a gap would have).
    expect(reader.states.filter((s) => s === "reconnecting")).toEqual([]);
  });
});

describe("slow mode", () => {
  it("holds a member's messages and sends each after the wait the room names, none lost or doubled", async () => {
    const room = uniqueRoom("slow");
    const owner = client(room, "owner", { ownerKey: ADMIN_KEY });
    owner.c.connect();
    await until(() => owner.c.state === "live", "the owner in");
    expect(owner.c.isOwner).toBe(true);
    expect(owner.c.updateSettings({ slowModeSeconds: 1 })).toBeUndefined();
    const member = client(room, "member");
    member.c.connect();
    await until(() => member.c.settings.slowModeSeconds === 1, "slow mode on for the member");
    for (const text of ["one", "two", "three"]) member.c.send(text);
    await until(() => member.c.outbox.length === 0, "all three acknowledged", 15_000);
    const stored = member.events.filter((e) => e.type === "message" && "text" in e && e.from.name === "member");
    expect(texts(stored)).toEqual(["one", "two", "three"]);
    // One per second: the room refused the early ones with slow_mode, and the client waited.
    expect(member.errors.filter((e) => e.code === "slow_mode").length).toBeGreaterThanOrEqual(2);
    expect(stored[2]!.ts - stored[0]!.ts).toBeGreaterThanOrEqual(2000);
  });
});

describe("kicked and banned", () => {
  it("a kicked client stops with 4003, a banned one with 4004, and neither reconnects", async () => {
    const room = uniqueRoom("kick");
    const owner = client(room, "owner", { ownerKey: ADMIN_KEY });
    owner.c.connect();
    const kicked = client(room, "kicked");
    kicked.c.connect();
    await until(() => owner.c.presence.members.some((m) => m.name === "kicked"), "the member in");
    const target = owner.c.presence.members.find((m) => m.name === "kicked")!;
    expect(owner.c.kick(target.id, "rude")).toBeUndefined();
    await until(() => kicked.closed.length === 1, "the kicked client closed");
    expect(kicked.closed[0]).toMatchObject({ code: CLOSE_CODES.kicked, reason: "kicked by owner: rude" });
    expect(kicked.c.state).toBe("closed");

    const banned = client(room, "banned");
    banned.c.connect();
    await until(() => owner.c.presence.members.some((m) => m.name === "banned"), "the next member in");
    const next = owner.c.presence.members.find((m) => m.name === "banned")!;
    expect(owner.c.ban(next.id, { minutes: 5 })).toBeUndefined();
    await until(() => banned.closed.length === 1, "the banned client closed");
    expect(banned.closed[0]).toMatchObject({ code: CLOSE_CODES.banned });
    // Coming back is refused: the join error explains the close.
    const again = client(room, "banned-again");
    again.c.connect();
    await until(() => again.closed.length === 1, "the rejoin refused");
    expect(again.closed[0]!.error).toMatchObject({ code: "banned", until: expect.any(Number) });
    expect(again.states).not.toContain("reconnecting");
  });
});
