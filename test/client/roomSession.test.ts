/**
 * The room session (src/client/roomSession.ts) on a real reconnecting
 * socket over a fake one, with the test as the room: joining and resuming,
 * the seq cursor (once, in order; overlaps, gaps, unknown events), replay
 * tracking, reset and truncated welcomes, scroll-back answers, refusals.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RoomSession, type RoomSessionOptions } from "../../src/client/roomSession.ts";
import type { HistoryFrame } from "../../src/protocol/frames.ts";
import { FakeServer, type FakeSocket } from "./support/fakeSocket.ts";
import { alice, bob, joined, message, messages, renamed, unknownEventJson, welcome } from "./support/frames.ts";
import { listener } from "./support/listener.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const URL_BASE = "ws://room.test/api/rooms/lobby/ws";
const RETRY_MS = 50; // the first backoff step with the jitter drawn at 0

/** A RoomSession on a fake server, recording what it tells the layer above. */
function setup(options: Partial<RoomSessionOptions> = {}) {
  const server = new FakeServer();
  const log: string[] = [];
  const seqs: number[] = [];
  const session = new RoomSession(
    { url: URL_BASE, name: "alice", createSocket: server.createSocket, random: () => 0, backoff: { initialMs: 100 }, ...options },
    {
      welcome: (w, fresh) => log.push(`welcome lastSeq=${w.lastSeq}${fresh ? " fresh" : ""}`),
      event: (e) => {
        seqs.push(e.seq);
        log.push(`event ${e.seq} ${e.type}`);
      },
      welcomeDelivered: () => log.push("welcomeDelivered"),
      replayDone: () => log.push("replayDone"),
      presence: (p) => log.push(`presence ${p.online}`),
      typing: (m) => log.push(`typing ${m.name}`),
      newcomer: (m) => log.push(`newcomer ${m.name}`),
      error: (e) => log.push(`error ${e.code}`),
      malformed: (problem) => log.push(`malformed ${problem}`),
      down: () => log.push("down"),
      closed: (r) => log.push(`closed ${r.code} ${r.reason}${r.error ? ` (${r.error.code})` : ""}`),
    },
  );
  /** Connects, and has the room welcome the socket with `fields`. */
  const join = (fields: Parameters<typeof welcome>[0] = {}): FakeSocket => {
    session.connect();
    return server.latest.accept().push(welcome(fields));
  };
  /** After a drop: waits out the backoff and answers the new socket's join. */
  const rejoin = (fields: Parameters<typeof welcome>[0] = {}): FakeSocket => {
    vi.advanceTimersByTime(RETRY_MS);
    return server.latest.accept().push(welcome(fields));
  };
  return { server, session, log, seqs, join, rejoin };
}

describe("RoomSession: joining", () => {
  it("joins in the URL while it has no session token, and sends no join frame", () => {
    const { server, session } = setup({ since: 12 });
    session.connect();
    const ws = server.latest.accept();
    expect(ws.url.startsWith(URL_BASE)).toBe(true);
    expect(ws.query).toEqual({ name: "alice", since: "12" });
    expect(ws.frames).toEqual([]);
  });

  it("resumes with a join frame carrying since and the session token, never the token in the URL", () => {
    const { server, session, join, log } = setup();
    const first = join({ events: [joined(1, alice)], session: "secret-1" });
    expect(first.query).toEqual({ name: "alice" });
    expect(session.session).toBe("secret-1");
    first.drop();
    vi.advanceTimersByTime(RETRY_MS);
    const second = server.latest.accept();
    expect(second.url).toBe(URL_BASE);
    expect(second.frames).toEqual([{ type: "join", name: "alice", since: 1, session: "secret-1" }]);
    expect(log).toEqual(["welcome lastSeq=1 fresh", "event 1 joined", "welcomeDelivered", "down"]);
  });

  it("starts from a token and resume point given by an earlier run", () => {
    const { server, session, log } = setup({ session: "earlier", since: 4 });
    session.connect();
    const ws = server.latest.accept();
    expect(ws.frames).toEqual([{ type: "join", name: "alice", since: 4, session: "earlier" }]);
    ws.push(welcome({ events: messages(5, 5), lastSeq: 5 }));
    expect(log).toEqual(["welcome lastSeq=5", "event 5 message", "welcomeDelivered"]);
  });

  it("joins with the name it was given while offline, and takes the name the room says", () => {
    const { server, session, join } = setup();
    join({ self: { id: "a11ce", name: "Alice" } });
    expect(session.self).toEqual({ id: "a11ce", name: "Alice" });
    server.latest.drop();
    vi.advanceTimersByTime(RETRY_MS);
    expect(server.latest.accept().frames[0]).toMatchObject({ type: "join", name: "Alice" });
    server.latest.drop();
    session.setName("ally");
    vi.advanceTimersByTime(RETRY_MS * 2);
    expect(server.latest.accept().frames[0]).toMatchObject({ type: "join", name: "ally" });
  });

  it("follows its own rename, not someone else's", () => {
    const { session, join } = setup();
    const ws = join({ members: [alice, bob], lastSeq: 2 });
    ws.push(renamed(3, { id: bob.id, name: "robert" }, "bob"));
    expect(session.self).toEqual(alice);
    ws.push(renamed(4, { id: alice.id, name: "ally" }, "alice"));
    expect(session.self).toEqual({ id: alice.id, name: "ally" });
  });

  it.each(["name_invalid", "bad_request"] as const)("stops for good when the room refuses the join itself (%s)", (code) => {
    const { server, session, log } = setup();
    session.connect();
    const ws = server.latest.accept().push({ type: "error", code, message: "no such name" });
    expect(log).toEqual([`closed 1000 no such name (${code})`]);
    expect(ws.closedByClient).toEqual({ code: 1000, reason: "left" });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stops at once when the first join's name is taken: someone else has it", () => {
    const { server, session, log } = setup();
    session.connect();
    server.latest.accept().push({ type: "error", code: "name_taken", message: "taken" });
    expect(log).toEqual(["closed 1000 taken (name_taken)"]);
    expect(server.sockets).toHaveLength(1);
  });

  it("takes name_taken on a later attempt for its own lost join, retries, and stops only when it lasts", () => {
    const { server, session, log } = setup();
    // The first connection's join went out but its welcome never came: the room may hold the name for it.
    session.connect();
    server.latest.accept().drop();
    vi.advanceTimersByTime(RETRY_MS);
    server.latest.accept().push({ type: "error", code: "name_taken", message: "taken" });
    expect(log.at(-1)).toBe("down");
    // Once that leftover's grace is over, the next attempt gets in.
    vi.advanceTimersByTime(1000);
    server.latest.accept().push(welcome({ lastSeq: 0 }));
    expect(session.welcomed).toBe(true);

    // Dropped again, and this time the name stays taken: after the patience runs out, it stops.
    server.latest.drop();
    const before = server.sockets.length;
    let answered = before;
    for (let i = 0; i < 200 && !log.at(-1)!.startsWith("closed"); i++) {
      vi.advanceTimersByTime(250);
      while (server.sockets.length > answered) server.sockets[answered++]!.accept().push({ type: "error", code: "name_taken", message: "taken" });
    }
    expect(log.at(-1)).toBe("closed 1000 taken (name_taken)");
    const attempts = server.sockets.length - before;
    expect(attempts).toBeGreaterThan(3);
    expect(attempts).toBeLessThan(30);
  });

  it("does not stop for the same errors once welcomed (a rename refused, a bad frame)", () => {
    const { server, join, log } = setup();
    const ws = join();
    ws.push({ type: "error", code: "name_invalid", message: "no" }).push({ type: "error", code: "bad_request", message: "no" });
    expect(log.slice(-2)).toEqual(["error name_invalid", "error bad_request"]);
    expect(server.sockets).toHaveLength(1);
    expect(ws.closedByClient).toBeUndefined();
  });

  it("retries a full room (1013), and names room_full if the room then closes for good", () => {
    const { server, session, log } = setup();
    session.connect();
    server.latest.accept().push({ type: "error", code: "room_full", message: "full" }).closeWith(1013, "room full");
    expect(log).toEqual(["error room_full", "down"]);
    vi.advanceTimersByTime(4 * RETRY_MS);
    server.latest.accept().push({ type: "error", code: "room_full", message: "full" }).closeWith(1008, "join timeout");
    expect(log.slice(2)).toEqual(["error room_full", "closed 1008 join timeout (room_full)"]);
  });

  it("does not carry an earlier attempt's room_full into a later final close", () => {
    const { server, session, log } = setup();
    session.connect();
    server.latest.accept().push({ type: "error", code: "room_full", message: "full" }).closeWith(1013);
    vi.advanceTimersByTime(4 * RETRY_MS);
    server.latest.accept().closeWith(4001, "replaced");
    expect(log.at(-1)).toBe("closed 4001 replaced");
  });
});

describe("RoomSession: the seq cursor", () => {
  it("delivers each event once, in order, across events frames and single events", () => {
    const { join, seqs, session } = setup();
    const ws = join({ events: messages(1, 3) });
    ws.push({ type: "events", events: messages(4, 6) }).push(message(7, bob, "seven"));
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(session.lastSeq).toBe(7);
  });

  it("drops a replay's overlap with what it already delivered", () => {
    const { join, rejoin, seqs, server } = setup();
    join({ events: messages(1, 5) });
    server.latest.drop();
    // The room replays from before what we have (e.g. a resend of the same frame).
    const ws = rejoin({ events: messages(3, 8) });
    ws.push({ type: "events", events: messages(6, 9) }).push(message(9, bob, "again"));
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("never skips a gap: it drops the connection, delivers nothing past it, and resumes with since", () => {
    const { join, seqs, server, log, session } = setup();
    const ws = join({ events: messages(1, 3) });
    ws.push({ type: "events", events: [...messages(4, 4), ...messages(6, 8)] });
    expect(seqs).toEqual([1, 2, 3, 4]);
    expect(ws.closedByClient).toEqual({ code: 4000, reason: "gap after seq 4" });
    expect(log.at(-1)).toBe("down");
    expect(session.lastSeq).toBe(4);
    vi.advanceTimersByTime(RETRY_MS);
    const next = server.latest.accept();
    expect(next.frames).toEqual([{ type: "join", name: "alice", since: 4, session: "token-1" }]);
    next.push(welcome({ events: messages(5, 8) }));
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("treats a gap in a welcome's own replay the same way", () => {
    const { join, rejoin, seqs, server, log } = setup();
    join({ events: messages(1, 2) });
    server.latest.drop();
    const ws = rejoin({ events: [...messages(3, 3), ...messages(5, 6)] });
    expect(seqs).toEqual([1, 2, 3]);
    expect(ws.closedByClient?.reason).toBe("gap after seq 3");
    expect(log.slice(-3)).toEqual(["welcome lastSeq=6", "event 3 message", "down"]);
  });

  it("lets an unknown event move the cursor without delivering it", () => {
    const { join, seqs, log, session } = setup();
    const ws = join({ events: messages(1, 1) });
    ws.pushText(unknownEventJson(2));
    expect(session.lastSeq).toBe(2);
    ws.push(message(3, bob, "after the poll"));
    ws.pushText(`{"type":"events","events":[${unknownEventJson(4)},${JSON.stringify(message(5, bob, "five"))}]}`);
    expect(seqs).toEqual([1, 3, 5]);
    expect(log.filter((l) => l.startsWith("malformed"))).toEqual([]);
  });

  it("counts an unknown event when looking for gaps", () => {
    const { join, server } = setup();
    const ws = join({ events: messages(1, 1) });
    ws.pushText(unknownEventJson(3));
    expect(ws.closedByClient?.reason).toBe("gap after seq 1");
    expect(server.sockets).toHaveLength(1);
  });

  it("reports a malformed frame and goes on; ignores a frame type it does not know", () => {
    const { join, log, seqs } = setup();
    const ws = join();
    ws.pushText("not json").pushText('{"type":"message","seq":1}').pushText('{"type":"reaction","emoji":"+1"}');
    ws.push(message(1, bob, "still here"));
    expect(log.filter((l) => l.startsWith("malformed"))).toEqual([
      "malformed not JSON: not json",
      expect.stringMatching(/^malformed message frame: /),
    ]);
    expect(seqs).toEqual([1]);
    expect(ws.closedByClient).toBeUndefined();
  });

  it("takes a reset welcome as a fresh start: the cursor starts over", () => {
    const { join, rejoin, seqs, server, log, session } = setup();
    join({ events: messages(1, 40) });
    server.latest.drop();
    rejoin({ reset: true, events: messages(1, 2) });
    expect(log.filter((l) => l.startsWith("welcome "))).toEqual(["welcome lastSeq=40 fresh", "welcome lastSeq=2 fresh"]);
    expect(seqs.slice(40)).toEqual([1, 2]);
    expect(session.lastSeq).toBe(2);
  });

  it("accepts the gap a truncated welcome announces, and only that one", () => {
    const { join, rejoin, seqs, server, log } = setup();
    join({ events: messages(1, 3) });
    server.latest.drop();
    const ws = rejoin({ truncated: true, oldestSeq: 50, events: messages(50, 52), hasMore: false });
    expect(seqs).toEqual([1, 2, 3, 50, 51, 52]);
    expect(log.filter((l) => l.startsWith("welcome "))).toEqual(["welcome lastSeq=3 fresh", "welcome lastSeq=52"]);
    ws.push(message(54, bob, "gap"));
    expect(ws.closedByClient?.reason).toBe("gap after seq 52");
  });
});

describe("RoomSession: replays", () => {
  it("knows a replay is under way until the last event the welcome announced arrives", () => {
    const { join, rejoin, server, session, log } = setup();
    join({ events: messages(1, 2) });
    expect(session.replaying).toBe(false);
    server.latest.drop();
    const ws = rejoin({ events: messages(3, 4), lastSeq: 9 });
    expect(session.replaying).toBe(true);
    ws.push({ type: "events", events: messages(5, 7) });
    expect(session.replaying).toBe(true);
    ws.push({ type: "events", events: messages(8, 9) }).push({ type: "events", events: messages(10, 10) });
    expect(session.replaying).toBe(false);
    expect(log.slice(log.indexOf("welcome lastSeq=9"))).toEqual([
      "welcome lastSeq=9",
      "event 3 message",
      "event 4 message",
      "welcomeDelivered",
      "event 5 message",
      "event 6 message",
      "event 7 message",
      "event 8 message",
      "event 9 message",
      "replayDone",
      "event 10 message",
    ]);
  });

  it("is already replaying when the layer above hears of the welcome", () => {
    const server = new FakeServer();
    const seen: boolean[] = [];
    const session: RoomSession = new RoomSession(
      { url: URL_BASE, name: "alice", createSocket: server.createSocket },
      listener({
        welcome: () => seen.push(session.replaying),
        welcomeDelivered: () => seen.push(session.replaying),
      }),
    );
    session.connect();
    server.latest.accept().push(welcome({ events: messages(1, 2), lastSeq: 5 }));
    expect(seen).toEqual([true, true]);
  });

  it("is not replaying once the connection is gone", () => {
    const { join, server, session } = setup();
    join({ events: messages(1, 2), lastSeq: 5 });
    server.latest.drop();
    expect(session.replaying).toBe(false);
    expect(session.welcomed).toBe(false);
  });
});

describe("RoomSession: sending and scroll-back", () => {
  it("sends only on a joined connection", () => {
    const { server, session } = setup();
    expect(session.send({ type: "typing" })).toBe(false);
    session.connect();
    server.latest.accept();
    expect(session.send({ type: "typing" })).toBe(false);
    server.latest.push(welcome());
    expect(session.send({ type: "typing" })).toBe(true);
    expect(server.latest.frames).toEqual([{ type: "typing" }]);
    server.latest.drop();
    expect(session.send({ type: "typing" })).toBe(false);
  });

  it("answers each scroll-back question with the page for its `before`, unknown events left out", async () => {
    const { join, session } = setup();
    const ws = join({ events: messages(100, 100) });
    const older = session.awaitHistory(100);
    const older2 = session.awaitHistory(100);
    const oldest = session.awaitHistory(50);
    ws.pushText(`{"type":"history","before":100,"hasMore":true,"events":[${JSON.stringify(message(98, bob, "a"))},${unknownEventJson(99)}]}`);
    const page: HistoryFrame = { type: "history", before: 100, hasMore: true, events: [message(98, bob, "a")] };
    expect(await older).toEqual(page);
    expect(await older2).toEqual(page);
    ws.push({ type: "history", before: 50, hasMore: false, events: [message(1, bob, "first")] });
    expect((await oldest).events.map((e) => e.seq)).toEqual([1]);
    expect(session.lastSeq).toBe(100); // history does not move the cursor
  });

  it("answers open scroll-back questions with an empty page when the connection ends", async () => {
    const { join, session, server } = setup();
    join();
    let answer: HistoryFrame | undefined;
    void session.awaitHistory(30).then((page) => (answer = page));
    server.latest.drop();
    await Promise.resolve();
    expect(answer).toEqual({ type: "history", before: 30, events: [], hasMore: true });
  });

  it("passes typing notices from others up, not its own", () => {
    const { join, log } = setup();
    const ws = join({ members: [alice, bob] });
    ws.push({ type: "typing", member: alice }).push({ type: "typing", member: bob });
    expect(log.filter((l) => l.startsWith("typing"))).toEqual(["typing bob"]);
  });

  it("passes presence frames up as they are", () => {
    const { join, log } = setup();
    join().push({ type: "presence", online: 140, crowd: true });
    expect(log.at(-1)).toBe("presence 140");
  });
});

describe("RoomSession: closing", () => {
  it("close() leaves with 1000, reports the reason given, and stops", () => {
    const { join, session, server, log } = setup();
    const ws = join();
    session.close({ code: 1000, reason: "left" });
    session.close({ code: 1000, reason: "twice" });
    expect(ws.closedByClient).toEqual({ code: 1000, reason: "left" });
    expect(log.filter((l) => l.startsWith("closed"))).toEqual(["closed 1000 left"]);
    session.connect();
    expect(server.sockets).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stops for good on 4001 (a newer connection resumed the session)", () => {
    const { join, server, log } = setup();
    join().closeWith(4001, "replaced");
    vi.advanceTimersByTime(60_000);
    expect(log.at(-1)).toBe("closed 4001 replaced");
    expect(server.sockets).toHaveLength(1);
  });
});
