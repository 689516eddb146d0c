/**
 * The outbox (src/client/outbox.ts) on a stub link, on fake timers: order,
 * what is in flight, pacing with the room's own bucket, control frames
 * first, holding back during a replay, and the errors about one message.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Outbox, pacingRule, type PendingMessage } from "../../src/client/outbox.ts";
import type { AdvertisedLimits, ClientFrame, ErrorFrame } from "../../src/protocol/frames.ts";
import { DEFAULT_ADVERTISED_LIMITS } from "../../src/protocol/limits.ts";
import { UNPACED } from "./support/frames.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** An outbox on a link that is ready and connected unless told otherwise. */
function setup(limits: AdvertisedLimits = UNPACED) {
  const link = { ready: true, connected: true, sent: [] as ClientFrame[] };
  const changes: string[][] = [];
  /** "text ms" for each message the pace or the room held back, as told. */
  const held: string[] = [];
  const outbox = new Outbox(
    {
      ready: () => link.ready,
      send: (frame) => {
        if (!link.connected) return false;
        link.sent.push(frame);
        return true;
      },
    },
    (messages) => changes.push(messages.map((m) => m.text)),
    (id, ms) => held.push(`${outbox.messages.find((m) => m.id === id)?.text} ${Math.round(ms)}`),
  );
  outbox.welcomed(limits);
  /** Texts of the messages sent so far (other frames as their type). */
  const sentTexts = () => link.sent.map((f) => (f.type === "message" ? f.text : f.type));
  return { outbox, link, changes, sentTexts, held };
}

const refusal = (code: ErrorFrame["code"], message: PendingMessage, retryAfterMs?: number): ErrorFrame => ({
  type: "error",
  code,
  message: code,
  ref: message.id,
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});

describe("Outbox: order and acknowledgement", () => {
  it("sends messages in the order written, each with its own id, and keeps them until acknowledged", () => {
    const { outbox, link, changes } = setup();
    const one = outbox.add("one", false);
    const two = outbox.add("two", true);
    expect(one.id).not.toBe(two.id);
    expect(link.sent).toEqual([
      { type: "message", text: "one", id: one.id, action: false },
      { type: "message", text: "two", id: two.id, action: true },
    ]);
    expect(outbox.messages).toEqual([one, two]);
    outbox.acknowledge(one.id);
    outbox.acknowledge(one.id); // a replayed acknowledgement changes nothing
    outbox.acknowledge("someone-elses-id");
    expect(outbox.messages).toEqual([two]);
    expect(changes).toEqual([["one"], ["one", "two"], ["two"]]);
  });

  it("sends nothing twice on one connection", () => {
    const { outbox, sentTexts } = setup();
    outbox.add("one", false);
    outbox.flush();
    outbox.add("two", false);
    outbox.flush();
    expect(sentTexts()).toEqual(["one", "two"]);
  });

  it("holds messages while the link is not ready (offline, or a replay under way) and sends them when it is", () => {
    const { outbox, link, sentTexts } = setup();
    link.ready = false;
    outbox.add("written offline", false);
    outbox.control({ type: "rename", name: "ally" });
    expect(link.sent).toEqual([]);
    link.ready = true;
    outbox.flush();
    expect(sentTexts()).toEqual(["rename", "written offline"]);
  });

  it("after a reconnect, sends again only what is still pending", () => {
    const { outbox, sentTexts } = setup();
    const [a, b, c] = ["a", "b", "c"].map((t) => outbox.add(t, false));
    expect(outbox.disconnected()).toEqual([]);
    outbox.welcomed(UNPACED);
    // The replay acknowledged a and c.
    outbox.acknowledge(a!.id);
    outbox.acknowledge(c!.id);
    outbox.flush();
    expect(sentTexts()).toEqual(["a", "b", "c", "b"]);
    expect(outbox.messages.map((m) => m.id)).toEqual([b!.id]);
  });

  it("puts control frames ahead of every message", () => {
    const { outbox, link, sentTexts } = setup();
    link.ready = false;
    outbox.add("first", false);
    outbox.control({ type: "history", before: 10, limit: 5 });
    outbox.add("second", false);
    outbox.control({ type: "rename", name: "ally" });
    link.ready = true;
    outbox.flush();
    expect(sentTexts()).toEqual(["history", "rename", "first", "second"]);
  });

  it("returns the control frames a lost connection did not send, and forgets them", () => {
    const { outbox, link } = setup();
    link.connected = false;
    outbox.control({ type: "rename", name: "ally" });
    outbox.control({ type: "history", before: 10 });
    expect(outbox.disconnected()).toEqual([
      { type: "rename", name: "ally" },
      { type: "history", before: 10 },
    ]);
    link.connected = true;
    outbox.flush();
    expect(link.sent).toEqual([]);
  });
});

describe("Outbox: pacing", () => {
  it("runs the room's bucket a little under the advertised limit", () => {
    expect(pacingRule({ ...DEFAULT_ADVERTISED_LIMITS, rateBurst: 10, ratePerSecond: 5 })).toEqual({ burst: 8, perSecond: 4.5 });
    expect(pacingRule({ ...DEFAULT_ADVERTISED_LIMITS, rateBurst: 2, ratePerSecond: 1 })).toEqual({ burst: 1, perSecond: 0.9 });
  });

  it("sends a burst at once, then the rest as tokens come back, in order", () => {
    // burst 8 at 4.5/s: 8 at once, then one every 222.2 ms.
    const { outbox, sentTexts } = setup({ ...DEFAULT_ADVERTISED_LIMITS, rateBurst: 10, ratePerSecond: 5 });
    for (let i = 0; i < 12; i++) outbox.add(`m${i}`, false);
    expect(sentTexts()).toHaveLength(8);
    const sentAt: number[] = [];
    for (let t = 1; t <= 1000; t++) {
      const before = sentTexts().length;
      vi.advanceTimersByTime(1);
      if (sentTexts().length > before) sentAt.push(t);
    }
    expect(sentTexts()).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
    expect(sentAt).toEqual([223, 445, 667, 889]);
  });

  it("tells about how long each message held back by the pace or the room waits", () => {
    const { outbox, held } = setup({ ...DEFAULT_ADVERTISED_LIMITS, rateBurst: 10, ratePerSecond: 5 });
    for (let i = 0; i < 11; i++) outbox.add(`m${i}`, false);
    // The ninth waits for a token (rounded up to the ms); each after it one step (222 ms at 4.5/s) more.
    expect(held.slice(-3)).toEqual(["m8 223", "m9 445", "m10 667"]);
    held.length = 0;
    vi.advanceTimersByTime(223);
    expect(held).toEqual(["m9 222", "m10 444"]);
    held.length = 0;
    outbox.refused(refusal("rate_limited", outbox.messages[0]!, 1500));
    expect(held).toEqual(["m0 1500", "m9 1722", "m10 1944"]);
  });

  it("starts each connection with a full bucket", () => {
    const { outbox, link, sentTexts } = setup({ ...DEFAULT_ADVERTISED_LIMITS, rateBurst: 4, ratePerSecond: 1 });
    for (let i = 0; i < 3; i++) outbox.add(`m${i}`, false);
    outbox.add("m3", false);
    expect(sentTexts()).toEqual(["m0", "m1"]);
    outbox.disconnected();
    link.sent.length = 0;
    outbox.welcomed({ ...DEFAULT_ADVERTISED_LIMITS, rateBurst: 4, ratePerSecond: 1 });
    outbox.flush();
    expect(sentTexts()).toEqual(["m0", "m1"]);
  });

  it("spends no token on a frame that could not be sent", () => {
    const { outbox, link, sentTexts } = setup({ ...DEFAULT_ADVERTISED_LIMITS, rateBurst: 3, ratePerSecond: 1 });
    link.connected = false;
    for (let i = 0; i < 5; i++) outbox.sendNow({ type: "typing" });
    link.connected = true;
    outbox.add("m0", false);
    expect(sentTexts()).toEqual(["m0"]);
  });

  it("paces a frame sent now (typing) with the rest, and does not queue it", () => {
    const { outbox, link } = setup({ ...DEFAULT_ADVERTISED_LIMITS, rateBurst: 3, ratePerSecond: 1 });
    expect(outbox.sendNow({ type: "typing" })).toBe(true);
    expect(outbox.sendNow({ type: "typing" })).toBe(false);
    link.ready = false; // not held back by a replay: only the pace and the connection count
    vi.advanceTimersByTime(1112);
    expect(outbox.sendNow({ type: "typing" })).toBe(true);
    link.connected = false;
    vi.advanceTimersByTime(5000);
    expect(outbox.sendNow({ type: "typing" })).toBe(false);
    expect(link.sent).toEqual([{ type: "typing" }, { type: "typing" }]);
  });

  it("stops its flush timer when the connection ends", () => {
    const { outbox } = setup({ ...DEFAULT_ADVERTISED_LIMITS, rateBurst: 3, ratePerSecond: 1 });
    for (let i = 0; i < 3; i++) outbox.add(`m${i}`, false);
    expect(vi.getTimerCount()).toBe(1);
    outbox.disconnected();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("Outbox: the room's errors about a message", () => {
  it("sends a rate-limited message again after the wait the room asked for (1 s if it did not say)", () => {
    const { outbox, sentTexts } = setup();
    const one = outbox.add("one", false);
    const two = outbox.add("two", false);
    expect(outbox.refused(refusal("rate_limited", one, 300))).toBeUndefined();
    vi.advanceTimersByTime(299);
    expect(sentTexts()).toEqual(["one", "two"]);
    vi.advanceTimersByTime(1);
    expect(sentTexts()).toEqual(["one", "two", "one"]);
    outbox.refused(refusal("rate_limited", two));
    vi.advanceTimersByTime(999);
    expect(sentTexts()).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(sentTexts()).toEqual(["one", "two", "one", "two"]);
    expect(outbox.messages).toEqual([one, two]);
  });

  it("keeps a message refused for slow mode pending and sends it, and what was written meanwhile, only after retryAfterMs", () => {
    const { outbox, sentTexts, changes } = setup();
    const one = outbox.add("one", false);
    expect(outbox.refused(refusal("slow_mode", one, 5000))).toBeUndefined();
    expect(outbox.messages).toEqual([one]);
    // Writing another message, or a control frame, does not let messages overtake the wait.
    const two = outbox.add("two", false);
    outbox.control({ type: "bans" });
    expect(sentTexts()).toEqual(["one", "bans"]);
    vi.advanceTimersByTime(4999);
    expect(sentTexts()).toEqual(["one", "bans"]);
    vi.advanceTimersByTime(1);
    expect(sentTexts()).toEqual(["one", "bans", "one", "two"]);
    outbox.acknowledge(one.id);
    outbox.acknowledge(two.id);
    expect(changes.at(-1)).toEqual([]);
  });

  it.each(["text_empty", "text_too_long", "text_invalid", "bad_request", "not_found"] as const)("drops a message the room refuses for good (%s)", (code) => {
    const { outbox, changes, sentTexts } = setup();
    const doomed = outbox.add("doomed", false);
    const fine = outbox.add("fine", false);
    expect(outbox.refused(refusal(code, doomed))).toEqual(doomed);
    expect(outbox.messages).toEqual([fine]);
    expect(changes.at(-1)).toEqual(["fine"]);
    outbox.disconnected();
    outbox.welcomed(UNPACED);
    outbox.flush();
    expect(sentTexts()).toEqual(["doomed", "fine", "fine"]);
  });

  it("keeps a message through errors that resending can fix, and ignores errors about no pending message", () => {
    const { outbox, changes } = setup();
    const message = outbox.add("kept", false);
    expect(outbox.refused(refusal("internal", message))).toBeUndefined();
    expect(outbox.refused({ type: "error", code: "text_too_long", message: "no ref" })).toBeUndefined();
    expect(outbox.refused({ type: "error", code: "text_too_long", message: "gone", ref: "unknown" })).toBeUndefined();
    expect(outbox.messages).toEqual([message]);
    expect(changes).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
