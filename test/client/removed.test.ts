/**
 * Owners' sessions: the owner key travels in the join frame only, on every
 * attempt, never in a URL.
 *
 * A member the room removes (kicked, banned) stops for good: on the close
 * code (4003/4004), and already on the live event that names it, since a
 * close frame can be held up on the way; a replayed one (history) does not
 * stop it. The test is the room, over a fake socket.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RoomSession } from "../../src/client/roomSession.ts";
import { CLOSE_CODES, type RoomEvent } from "../../src/protocol/frames.ts";
import { FakeServer } from "./support/fakeSocket.ts";
import { alice, bob, message, welcome } from "./support/frames.ts";
import { listener } from "./support/listener.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup() {
  const server = new FakeServer();
  const log: string[] = [];
  const session = new RoomSession(
    { url: "ws://room.test/api/rooms/lobby/ws", name: "alice", createSocket: server.createSocket, random: () => 0 },
    listener({
      event: (e) => log.push(`event ${e.seq} ${e.type}`),
      error: (e) => log.push(`error ${e.code}`),
      down: () => log.push("down"),
      closed: (r) => log.push(`closed ${r.code} ${r.reason}`),
    }),
  );
  session.connect();
  return { server, session, log, ws: server.latest.accept() };
}

const kicked = (seq: number, member = alice): RoomEvent => ({ type: "kicked", seq, ts: seq, member, by: bob, reason: "rude" });
const banned = (seq: number, member = alice): RoomEvent => ({ type: "banned", seq, ts: seq, member, by: bob, until: 99 });

describe("RoomSession: removed by an owner", () => {
  it("stops on the live kicked event naming it, with the reason the close would carry, and ignores the rest", () => {
    const { ws, log, server } = setup();
    ws.push(welcome({ events: [message(1, bob, "hi")] }));
    ws.push({ type: "events", events: [kicked(2), message(3, bob, "bye")] });
    expect(log).toEqual(["event 1 message", "event 2 kicked", `closed ${CLOSE_CODES.kicked} kicked by bob: rude`]);
    expect(ws.closedByClient).toBeDefined();
    vi.advanceTimersByTime(60_000);
    expect(server.sockets).toHaveLength(1);
  });

  it("stops on a live banned event naming it; another member's does not stop it", () => {
    const { ws, log } = setup();
    ws.push(welcome({ events: [] }));
    ws.push(banned(1, bob));
    expect(log).toEqual(["event 1 banned"]);
    ws.push(banned(2));
    expect(log).toEqual(["event 1 banned", "event 2 banned", `closed ${CLOSE_CODES.banned} banned by bob`]);
  });

  it("does not stop on one in a replay (an earlier session's removal, in history)", () => {
    const { ws, log } = setup();
    ws.push(welcome({ events: [kicked(1), message(2, bob, "hi")] }));
    expect(log).toEqual(["event 1 kicked", "event 2 message"]);
  });

  it("stops for good on close 4003 or 4004 without the event, and does not reconnect", () => {
    for (const code of [CLOSE_CODES.kicked, CLOSE_CODES.banned]) {
      const { ws, log, server } = setup();
      ws.push(welcome({ events: [] }));
      ws.closeWith(code, "by bob");
      vi.advanceTimersByTime(60_000);
      expect(log).toEqual([`closed ${code} by bob`]);
      expect(server.sockets).toHaveLength(1);
    }
  });
});

describe("RoomSession: an owner key", () => {
  it("goes in the join frame of every attempt and never in the socket URL", () => {
    const server = new FakeServer();
    const session = new RoomSession(
      { url: "ws://room.test/api/rooms/lobby/ws", name: "alice", ownerKey: "owner-key-secret-123", createSocket: server.createSocket, random: () => 0 },
      listener(),
    );
    session.connect();
    const first = server.latest.accept();
    expect(first.url).toBe("ws://room.test/api/rooms/lobby/ws");
    expect(first.frames).toEqual([{ type: "join", name: "alice", ownerKey: "owner-key-secret-123" }]);
    first.push(welcome({ events: [] })).drop();
    vi.advanceTimersByTime(1000);
    const second = server.latest.accept();
    expect(second.url).not.toContain("owner-key-secret-123");
    expect(second.frames).toEqual([{ type: "join", name: "alice", session: "token-1", ownerKey: "owner-key-secret-123" }]);
  });
});
