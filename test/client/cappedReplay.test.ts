/**
 * A replay the room capped (`welcome.more`, see REPLAY_MAX_EVENTS): the room
 * session pages forward with `history` `after` requests until a page says
 * `hasMore: false`, holding live events that overtake the pages, so the
 * layer above sees one gap-free replay; and a join or page the room asks to
 * wait for (`rate_limited`) is asked again after the wait. The test is the room.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RoomSession, type RoomSessionOptions } from "../../src/client/roomSession.ts";
import type { ClientFrame, RoomEvent } from "../../src/protocol/frames.ts";
import { HISTORY_PAGE_MAX, REPLAY_CHUNK } from "../../src/protocol/limits.ts";
import { FakeServer, type FakeSocket } from "./support/fakeSocket.ts";
import { messages, welcome } from "./support/frames.ts";
import { listener } from "./support/listener.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const URL_BASE = "ws://room.test/api/rooms/lobby/ws";

function setup(options: Partial<RoomSessionOptions> = {}) {
  const server = new FakeServer();
  const log: string[] = [];
  const seqs: number[] = [];
  const session = new RoomSession(
    { url: URL_BASE, name: "alice", createSocket: server.createSocket, random: () => 0, since: 0, session: "token-0", ...options },
    listener({
      welcome: (w) => log.push(`welcome lastSeq=${w.lastSeq}`),
      event: (e) => {
        seqs.push(e.seq);
        log.push(`event ${e.seq}`);
      },
      welcomeDelivered: () => log.push("welcomeDelivered"),
      replayDone: () => log.push("replayDone"),
      error: (e) => log.push(`error ${e.code}`),
      malformed: (problem) => log.push(`malformed ${problem}`),
      down: () => log.push("down"),
      closed: (r) => log.push(`closed ${r.code}`),
    }),
  );
  session.connect();
  const ws = server.latest.accept();
  return { server, session, log, seqs, ws };
}

/** The history requests the client sent on `ws`. */
const pageRequests = (ws: FakeSocket): ClientFrame[] => ws.frames.filter((f) => f.type === "history");
const page = (after: number, events: RoomEvent[], hasMore: boolean) => ({ type: "history" as const, after, events, hasMore });
const range = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first + i);

describe("RoomSession: a capped replay", () => {
  it("pages forward after the welcome until hasMore is false, and only then is the replay done", () => {
    const { ws, session, log, seqs } = setup();
    ws.push(welcome({ events: messages(1, 3), lastSeq: 8, more: true }));
    expect(session.replaying).toBe(true);
    expect(pageRequests(ws)).toEqual([{ type: "history", after: 3, limit: HISTORY_PAGE_MAX }]);
    ws.push(page(3, messages(4, 6), true));
    expect(pageRequests(ws).at(-1)).toEqual({ type: "history", after: 6, limit: HISTORY_PAGE_MAX });
    expect(session.replaying).toBe(true);
    ws.push(page(6, messages(7, 8), false));
    expect(seqs).toEqual(range(1, 8));
    expect(session.replaying).toBe(false);
    expect(log.filter((l) => !l.startsWith("event"))).toEqual(["welcome lastSeq=8", "welcomeDelivered", "replayDone"]);
    expect(pageRequests(ws)).toHaveLength(2);
  });

  it("holds live events that overtake the pages and delivers them in order, without dropping the connection", () => {
    const { ws, seqs, log } = setup();
    ws.push(welcome({ events: messages(1, 2), lastSeq: 5, more: true }));
    // Live news while the pages are on their way: 6 and 7 are beyond the cursor (2).
    ws.push(messages(6, 6)[0]!).push(messages(7, 7)[0]!);
    expect(seqs).toEqual([1, 2]);
    ws.push(page(2, messages(3, 5), true));
    expect(seqs).toEqual(range(1, 7));
    // The page said more: the next question starts after what was held.
    expect(pageRequests(ws).at(-1)).toMatchObject({ after: 7 });
    ws.push(page(7, [], false)).push(messages(8, 8)[0]!);
    expect(seqs).toEqual(range(1, 8));
    expect(log).not.toContain("down");
  });

  it("asks for one event first when the welcome carries a full chunk (more may follow in events frames)", () => {
    const { ws, seqs } = setup();
    const first = messages(1, REPLAY_CHUNK);
    ws.push(welcome({ events: first, lastSeq: REPLAY_CHUNK + 200, more: true }));
    expect(pageRequests(ws)).toEqual([{ type: "history", after: REPLAY_CHUNK, limit: 1 }]);
    // The rest of the capped replay comes before the answer; the answer overlaps by one.
    ws.push({ type: "events", events: messages(REPLAY_CHUNK + 1, REPLAY_CHUNK + 100) });
    ws.push(page(REPLAY_CHUNK, messages(REPLAY_CHUNK + 1, REPLAY_CHUNK + 1), true));
    expect(pageRequests(ws).at(-1)).toEqual({ type: "history", after: REPLAY_CHUNK + 100, limit: HISTORY_PAGE_MAX });
    ws.push(page(REPLAY_CHUNK + 100, messages(REPLAY_CHUNK + 101, REPLAY_CHUNK + 200), false));
    expect(seqs).toEqual(range(1, REPLAY_CHUNK + 200));
  });

  it("ignores a page it did not ask for", () => {
    const { ws, seqs } = setup();
    ws.push(welcome({ events: messages(1, 2), lastSeq: 4, more: true }));
    ws.push(page(9, messages(10, 11), false));
    expect(seqs).toEqual([1, 2]);
    ws.push(page(2, messages(3, 4), false));
    expect(seqs).toEqual(range(1, 4));
  });

  it("drops the connection on a page with a gap, and resumes from the cursor", () => {
    const { ws, server, seqs, log } = setup();
    ws.push(welcome({ events: messages(1, 2), lastSeq: 6, more: true }));
    ws.push(page(2, [...messages(3, 3), ...messages(5, 6)], false));
    expect(seqs).toEqual([1, 2, 3]);
    expect(log).toContain("down");
    vi.advanceTimersByTime(1000);
    expect(server.latest.accept().frames[0]).toMatchObject({ type: "join", since: 3 });
  });

  it("asks for a page again after the wait when the room's replay budget says rate_limited", () => {
    const { ws, seqs } = setup();
    ws.push(welcome({ events: messages(1, 2), lastSeq: 4, more: true }));
    ws.push({ type: "error", code: "rate_limited", message: "too much history", retryAfterMs: 500 });
    expect(pageRequests(ws)).toHaveLength(1);
    vi.advanceTimersByTime(499);
    expect(pageRequests(ws)).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(pageRequests(ws)).toEqual([
      { type: "history", after: 2, limit: HISTORY_PAGE_MAX },
      { type: "history", after: 2, limit: HISTORY_PAGE_MAX },
    ]);
    ws.push(page(2, messages(3, 4), false));
    expect(seqs).toEqual(range(1, 4));
  });
});

describe("RoomSession: a join the room asks to wait for", () => {
  it("sends the join again after retryAfterMs on the same socket", () => {
    const { ws, log, session } = setup();
    expect(ws.frames.filter((f) => f.type === "join")).toHaveLength(1);
    ws.push({ type: "error", code: "rate_limited", message: "too many joins from your address", retryAfterMs: 1000 });
    vi.advanceTimersByTime(999);
    expect(ws.frames.filter((f) => f.type === "join")).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(ws.frames.filter((f) => f.type === "join")).toEqual([
      { type: "join", name: "alice", since: 0, session: "token-0" },
      { type: "join", name: "alice", since: 0, session: "token-0" },
    ]);
    ws.push(welcome({ events: [], lastSeq: 0 }));
    expect(session.welcomed).toBe(true);
    expect(log).toEqual(["error rate_limited", "welcome lastSeq=0", "welcomeDelivered"]);
  });

  it("does not give up on a join the room paces for longer than the connect timeout", () => {
    const { ws, server, session } = setup({ connectTimeoutMs: 1000 });
    ws.push({ type: "error", code: "rate_limited", message: "cooling down", retryAfterMs: 5000 });
    vi.advanceTimersByTime(5000);
    expect(ws.frames.filter((f) => f.type === "join")).toHaveLength(2);
    ws.push(welcome({ events: [] }));
    expect(session.welcomed).toBe(true);
    expect(server.sockets).toHaveLength(1);
  });
});
