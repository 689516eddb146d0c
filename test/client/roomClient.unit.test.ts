/**
 * RoomClient, the facade both apps use, composed of its layers over a fake
 * socket, on fake timers: what its listeners hear and in what order, and the
 * guarantees that need more than one layer (a resend after a replay only for
 * what the replay did not acknowledge; a rename that goes with the next
 * join; presence into and out of a crowd). The same class against a real
 * `wrangler dev` is in roomClient.test.ts and crowd.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RoomClient, type RoomClientEvents, type RoomClientOptions } from "../../src/client/RoomClient.ts";
import type { HistoryFrame } from "../../src/protocol/frames.ts";
import { DEFAULT_ADVERTISED_LIMITS } from "../../src/protocol/limits.ts";
import { FakeServer, type FakeSocket } from "./support/fakeSocket.ts";
import { alice, bob, carol, joined, left, message, messages, welcome } from "./support/frames.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const RETRY_MS = 250; // the first backoff step (500 ms) with the jitter drawn at 0

/** A RoomClient on a fake server, logging every event it emits. */
function setup(options: Partial<RoomClientOptions> = {}) {
  const server = new FakeServer();
  const client = new RoomClient({ url: "ws://room.test/api/rooms/lobby/ws", name: "alice", createSocket: server.createSocket, random: () => 0, ...options });
  const log: string[] = [];
  const describeEvent: { [K in keyof RoomClientEvents]: (value: RoomClientEvents[K]) => string } = {
    state: (s) => s,
    welcome: ({ welcome: w, fresh }) => `lastSeq=${w.lastSeq}${fresh ? " fresh" : ""}`,
    event: (e) => `${e.seq} ${e.type === "message" && "text" in e ? e.text : e.type}`,
    presence: (p) => (p.crowd ? `${p.online} in a crowd` : p.members.map((m) => m.name).join(",")),
    typing: (m) => m.name,
    newcomer: (m) => `newcomer ${m.name}`,
    error: (e) => e.code,
    rejected: ({ message: m, error }) => `${m.text} ${error.code}`,
    outbox: (o) => `[${o.map((m) => m.text).join(",")}]`,
    held: ({ id, ms }) => `${id} ${Math.round(ms)} ms`,
    malformed: (problem) => problem,
    closed: (r) => `${r.code} ${r.reason}${r.error ? ` (${r.error.code})` : ""}`,
  };
  const record = <K extends keyof RoomClientEvents>(type: K) =>
    client.on(type, (value) => log.push(`${type}: ${describeEvent[type](value)}`));
  for (const type of Object.keys(describeEvent) as (keyof RoomClientEvents)[]) record(type);
  /** Connects and has the room welcome the socket. */
  const join = (fields: Parameters<typeof welcome>[0] = {}): FakeSocket => {
    client.connect();
    return server.latest.accept().push(welcome(fields));
  };
  /** Drops the connection, waits out the backoff, and has the room welcome the new socket. */
  const rejoin = (fields: Parameters<typeof welcome>[0] = {}): FakeSocket => {
    server.latest.drop();
    vi.advanceTimersByTime(RETRY_MS);
    return server.latest.accept().push(welcome(fields));
  };
  const sentMessages = (ws: FakeSocket) => ws.frames.flatMap((f) => (f.type === "message" ? [f.text] : []));
  return { server, client, log, join, rejoin, sentMessages };
}

describe("RoomClient over a fake socket: what listeners hear", () => {
  it("goes live with its welcome, presence, replay and outbox, in that order", () => {
    const { client, log, join } = setup();
    expect(client.state).toBe("connecting");
    join({ members: [bob, alice], events: [joined(1, bob), joined(2, alice)] });
    expect(log).toEqual([
      "state: live",
      "welcome: lastSeq=2 fresh",
      "presence: bob,alice",
      "event: 1 joined",
      "event: 2 joined",
      "outbox: []",
    ]);
    expect(client.presence.members).toEqual([bob, alice]); // the replay did not add alice twice
    expect(client.self).toEqual(alice);
    expect(client.session).toBe("token-1");
    expect(client.lastSeq).toBe(2);
  });

  it("says reconnecting when the first attempt fails, and live once welcomed", () => {
    const { client, server, log } = setup();
    client.connect();
    server.latest.drop();
    expect(client.state).toBe("reconnecting");
    vi.advanceTimersByTime(RETRY_MS);
    server.latest.accept().push(welcome());
    expect(log.filter((l) => l.startsWith("state"))).toEqual(["state: reconnecting", "state: live"]);
  });

  it("resumes quietly after a drop: not fresh, nothing delivered twice", () => {
    const { log, join, rejoin, server } = setup();
    join({ events: messages(1, 3) });
    const ws = rejoin({ events: messages(2, 5) });
    expect(ws.frames).toEqual([{ type: "join", name: "alice", since: 3, session: "token-1" }]);
    expect(log.filter((l) => l.startsWith("event") || l.startsWith("welcome") || l.startsWith("state"))).toEqual([
      "state: live",
      "welcome: lastSeq=3 fresh",
      "event: 1 m1",
      "event: 2 m2",
      "event: 3 m3",
      "state: reconnecting",
      "state: live",
      "welcome: lastSeq=5",
      "event: 4 m4",
      "event: 5 m5",
    ]);
    expect(server.sockets).toHaveLength(2);
  });

  it("joins quietly when asked: quiet=1 in the URL, quiet: true in every join frame after", () => {
    const { join, rejoin, server } = setup({ quiet: true });
    join({ events: messages(1, 2) });
    expect(server.sockets[0]!.query).toMatchObject({ name: "alice", quiet: "1" });
    const ws = rejoin();
    expect(ws.frames).toEqual([{ type: "join", name: "alice", since: 2, session: "token-1", quiet: true }]);
    // An owner's first join goes in a frame (the key is a secret): it says quiet too.
    const owner = setup({ quiet: true, ownerKey: "owner-key-1" });
    owner.client.connect();
    expect(owner.server.latest.accept().frames).toEqual([{ type: "join", name: "alice", ownerKey: "owner-key-1", quiet: true }]);
    // Not asked: nothing says quiet.
    const plain = setup();
    plain.join();
    expect(plain.server.sockets[0]!.query).not.toHaveProperty("quiet");
  });

  it("keeps the limits from the welcome, the defaults until then", () => {
    const { client, join } = setup();
    expect(client.limits).toEqual(DEFAULT_ADVERTISED_LIMITS);
    join({ limits: { ...DEFAULT_ADVERTISED_LIMITS, textMax: 5 } });
    expect(client.limits.textMax).toBe(5);
    expect(client.send("too long")).toMatchObject({ ok: false, error: { code: "text_too_long" } });
    expect(client.outbox).toEqual([]);
  });

  it("reports malformed frames and keeps going", () => {
    const { join, log } = setup();
    join().pushText("{oops").push(message(1, bob, "fine"));
    expect(log.slice(-2)).toEqual(["malformed: not JSON: {oops", "event: 1 fine"]);
  });
});

describe("RoomClient over a fake socket: the outbox across reconnects", () => {
  it("resends after a replay only what the replay did not acknowledge, and nothing before the replay is in", () => {
    const { client, join, server, sentMessages, log } = setup();
    join({ events: [joined(1, alice)] });
    const [a, b, c] = ["a", "b", "c"].map((t) => client.send(t)).map((r) => (r.ok ? r.value : undefined));
    expect(sentMessages(server.latest)).toEqual(["a", "b", "c"]);
    server.latest.drop();
    vi.advanceTimersByTime(RETRY_MS);
    // The room stored a and b (the acknowledgements were lost); its replay is longer than the welcome.
    const ws = server.latest.accept().push(welcome({ events: [message(2, alice, "a", a!.id), message(3, bob, "x")], lastSeq: 5 }));
    expect(client.outbox.map((m) => m.text)).toEqual(["b", "c"]);
    expect(sentMessages(ws)).toEqual([]);
    ws.push({ type: "events", events: [message(4, alice, "b", b!.id), message(5, bob, "y")] });
    expect(sentMessages(ws)).toEqual(["c"]);
    expect(ws.frames.find((f) => f.type === "message")).toEqual({ type: "message", text: "c", id: c!.id });
    ws.push(message(6, alice, "c", c!.id));
    expect(client.outbox).toEqual([]);
    expect(log.filter((l) => l.startsWith("outbox")).slice(-4)).toEqual(["outbox: [b,c]", "outbox: [b,c]", "outbox: [c]", "outbox: []"]);
  });

  it("sends nothing during a replay even when a welcome listener writes a message", () => {
    const { client, join, rejoin, sentMessages } = setup();
    join({ events: messages(1, 1) });
    const unsub = client.on("welcome", () => client.send("written on welcome"));
    const ws = rejoin({ events: messages(2, 2), lastSeq: 3 });
    unsub();
    expect(sentMessages(ws)).toEqual([]);
    ws.push({ type: "events", events: messages(3, 3) });
    expect(sentMessages(ws)).toEqual(["written on welcome"]);
  });

  it("holds messages written before it is live and sends each once", () => {
    const { client, join, sentMessages } = setup();
    client.send("offline 1");
    client.send("offline 2", { action: true });
    expect(client.outbox.map((m) => m.text)).toEqual(["offline 1", "offline 2"]);
    const ws = join();
    expect(sentMessages(ws)).toEqual(["offline 1", "offline 2"]);
    expect(ws.frames[1]).toMatchObject({ action: true });
  });

  it("drops a message the room refuses for good, and tells why", () => {
    const { client, join, log } = setup();
    const ws = join();
    const sent = client.send("fine by us");
    ws.push({ type: "error", code: "text_invalid", message: "no", ref: sent.ok ? sent.value.id : "" });
    expect(log.slice(-4)).toEqual(["outbox: [fine by us]", "outbox: []", "rejected: fine by us text_invalid", "error: text_invalid"]);
  });

  it("sends a rate-limited message again after the wait", () => {
    const { client, join, sentMessages } = setup();
    const ws = join();
    const sent = client.send("again");
    ws.push({ type: "error", code: "rate_limited", message: "slow down", ref: sent.ok ? sent.value.id : "", retryAfterMs: 400 });
    vi.advanceTimersByTime(400);
    expect(sentMessages(ws)).toEqual(["again", "again"]);
  });
});

describe("RoomClient over a fake socket: rename, typing, history", () => {
  it("renames at once when live, and with the next join when not", () => {
    const { client, server, join, rejoin } = setup();
    expect(client.rename("ally")).toBeUndefined();
    const first = join({ self: { id: alice.id, name: "ally" } });
    expect(first.query).toEqual({ name: "ally" });
    client.rename("alicia");
    expect(first.frames).toEqual([{ type: "rename", name: "alicia" }]);
    expect(client.rename("")).toMatchObject({ code: "name_invalid" });
    // A rename still waiting (here behind a replay) when the connection drops goes with the next join.
    rejoin({ events: messages(1, 1), lastSeq: 2 });
    client.rename("al");
    server.latest.drop();
    vi.advanceTimersByTime(RETRY_MS * 2);
    expect(server.latest.accept().frames).toEqual([{ type: "join", name: "al", since: 1, session: "token-1" }]);
  });

  it("sends typing at most every 3 s, at once again after a message, never in a crowd or offline", () => {
    const { client, server, join } = setup();
    client.typing();
    const ws = join();
    const typings = () => ws.frames.filter((f) => f.type === "typing").length;
    client.typing();
    client.typing();
    expect(typings()).toBe(1);
    vi.advanceTimersByTime(3000);
    client.typing();
    expect(typings()).toBe(2);
    client.send("hi");
    client.typing();
    expect(typings()).toBe(3);
    ws.push({ type: "presence", online: 150, crowd: true });
    vi.advanceTimersByTime(3000);
    client.typing();
    expect(typings()).toBe(3);
    expect(server.sockets).toHaveLength(1);
  });

  it("asks for history when live and answers with the room's page; empty when offline or dropped", async () => {
    const { client, server, join } = setup();
    expect(await client.history(10)).toEqual({ type: "history", before: 10, events: [], hasMore: true });
    const ws = join({ events: messages(40, 41) });
    const page = client.history(40, 2);
    expect(ws.frames).toEqual([{ type: "history", before: 40, limit: 2 }]);
    ws.push({ type: "history", before: 40, hasMore: true, events: messages(38, 39) });
    expect((await page).events.map((e) => e.seq)).toEqual([38, 39]);
    let answer: HistoryFrame | undefined;
    void client.history(38).then((page) => (answer = page));
    server.latest.drop();
    await Promise.resolve();
    expect(answer).toEqual({ type: "history", before: 38, events: [], hasMore: true });
  });

  it("passes on typing notices from others", () => {
    const { join, log } = setup();
    join({ members: [alice, bob] }).push({ type: "typing", member: bob }).push({ type: "typing", member: alice });
    expect(log.filter((l) => l.startsWith("typing"))).toEqual(["typing: bob"]);
  });
});

describe("RoomClient over a fake socket: presence", () => {
  it("follows the list into a crowd and out of it", () => {
    const { client, join, log } = setup();
    const ws = join({ members: [alice], events: [joined(1, alice)] });
    ws.push(joined(2, bob));
    ws.push({ type: "presence", online: 3, crowd: true });
    ws.push(message(3, carol, "hello crowd"));
    ws.push({ type: "presence", online: 2, crowd: false, members: [alice, bob] });
    ws.push(left(4, bob));
    expect(log.filter((l) => l.startsWith("presence"))).toEqual([
      "presence: alice",
      "presence: alice,bob",
      "presence: 3 in a crowd",
      "presence: alice,bob",
      "presence: alice",
    ]);
    expect(client.presence).toEqual({ members: [alice], online: 1, crowd: false });
  });
});

describe("RoomClient over a fake socket: stopping", () => {
  it("stops with the error when the room refuses its join", () => {
    const { client, server, log } = setup({ name: "  x" });
    client.connect();
    server.latest.accept().push({ type: "error", code: "name_invalid", message: "bad name" });
    expect(log).toEqual(["state: closed", "closed: 1000 bad name (name_invalid)"]);
    expect(client.state).toBe("closed");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("close() leaves with 1000 and stops every timer", () => {
    const { client, join, log } = setup();
    const ws = join();
    client.send("never acknowledged");
    client.close();
    expect(ws.closedByClient).toEqual({ code: 1000, reason: "left" });
    expect(log.slice(-2)).toEqual(["state: closed", "closed: 1000 left"]);
    expect(vi.getTimerCount()).toBe(0);
    client.connect();
    client.reconnectNow();
    expect(client.state).toBe("closed");
  });

  it("reconnectNow and dropConnection reach the socket", () => {
    const { client, join, server } = setup({ backoff: { initialMs: 60_000, maxMs: 60_000 } });
    const ws = join();
    client.dropConnection();
    expect(ws.closedByClient).toEqual({ code: 4000, reason: "connection replaced by the client" });
    expect(client.state).toBe("reconnecting");
    client.reconnectNow();
    client.reconnectNow();
    expect(server.sockets).toHaveLength(2);
  });

  it("does not reconnect after 4001, and says why it stopped", () => {
    const { join, log, server } = setup();
    join().closeWith(4001, "replaced");
    vi.advanceTimersByTime(60_000);
    expect(log.slice(-2)).toEqual(["state: closed", "closed: 4001 replaced"]);
    expect(server.sockets).toHaveLength(1);
  });
});
