/**
 * Property-based fuzzing of the room's handlers inside workerd: a joined
 * client sends arbitrary frames. Each must get exactly the documented answer
 * (an error frame with a documented code, or the event it asked for), never
 * an internal error, and nothing it was refused may be stored or broadcast.
 * Server-owned fields must always come from the server. Runs with
 * TIGHT_LIMITS (high rate limit, history 20, dedup window 10).
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, unreachable, type Member, type MessageEvent, type RoomEvent, type ServerFrame } from "../../../src/protocol/frames.ts";
import { readLimits } from "../../../src/protocol/limits.ts";
import { quoteAfter, quoteOf } from "../../../src/protocol/replyQuote.ts";
import { decodeClientFrame } from "../../../src/protocol/validate.ts";
import { anyFrame, nastyString } from "../../support/arbitraries.ts";
import { join, uniqueRoom } from "../../workerd/socket.ts";

const limits = readLimits(env);
const SENTINEL = 987_654_321;
const isSentinel = (f: ServerFrame) => f.type === "history" && "before" in f && f.before === SENTINEL;
const EVENT_KEYS: Record<RoomEvent["type"], string[]> = {
  message: ["type", "seq", "ts", "from", "text", "id", "action", "edited", "deleted", "replyTo", "reactions"],
  joined: ["type", "seq", "ts", "member"],
  left: ["type", "seq", "ts", "member"],
  renamed: ["type", "seq", "ts", "member", "from"],
  edited: ["type", "seq", "ts", "target", "by", "text", "deleted"],
  deleted: ["type", "seq", "ts", "target", "by"],
  reactions: ["type", "seq", "ts", "target", "counts", "by", "emoji", "on"],
  kicked: ["type", "seq", "ts", "member", "by", "reason"],
  banned: ["type", "seq", "ts", "member", "by", "reason", "until"],
  settings: ["type", "seq", "ts", "topic", "slowModeSeconds", "locked", "by"],
};

const recentChange = fc.record({
  type: fc.constantFrom("edit", "delete", "react", "reply"),
  back: fc.nat(6),
  text: nastyString(30),
  id: fc.uuid(),
  emoji: fc.constantFrom("👍", "❤️", "🎉"),
  on: fc.boolean(),
});

/** A recent change as the frame it sends: aimed at one of the last few events, most of them the fuzzer's own messages. */
function changeFrame(item: { type: string; back: number; text: string; id: string; emoji: string; on: boolean }, lastSeq: number): string {
  const seq = lastSeq - item.back;
  if (item.type === "reply") return JSON.stringify({ type: "message", text: item.text, id: item.id, replyTo: seq });
  if (item.type === "react") return JSON.stringify({ type: "react", seq, emoji: item.emoji, on: item.on });
  return JSON.stringify({ type: item.type, seq, text: item.text });
}

describe("the room under fuzzing", () => {
  it("answers every hostile frame as documented and stores only what is valid", async () => {
    const room = uniqueRoom("fuzz");
    const observer = await join(room, "observer");
    const fuzzer = await join(room, "fuzzer");
    await observer.socket.nextOf("joined");
    let self: Member = fuzzer.welcome.self;
    let lastSeq = fuzzer.welcome.lastSeq;
    // The fuzzer's messages as the room now stores them, by seq; and the seq of each message id.
    const own = new Map<number, MessageEvent>();
    // Who reacted to each of them: only the fuzzer, so each emoji has a count of 1.
    const reacted = new Map<number, string[]>();
    /** Makes every stored reply to `target` quote it as `change` left it. */
    const requote = (change: Parameters<typeof quoteAfter>[1]) => {
      for (const [seq, message] of own) {
        if ("deleted" in message || message.replyTo?.seq !== change.target) continue;
        own.set(seq, { ...message, replyTo: quoteAfter(message.replyTo, change) });
      }
    };
    const seqOfId = new Map<string, number>();
    // Older rows may have been pruned (HISTORY_LIMIT, with some slack): an edit may then find nothing.
    const mayBePruned = (seq: number) => seq <= lastSeq - limits.HISTORY_LIMIT;
    const expectedAtObserver: number[] = [];

    /** Stored history is intact: gap-free seqs, well-formed events, only protocol fields, each message as the model says. */
    const checkStored = async () => {
      const rows = await runInDurableObject(env.ROOMS.get(env.ROOMS.idFromName(room)), (_instance, state) =>
        state.storage.sql.exec<{ seq: number; json: string; reactors: string | null }>("SELECT seq, json, reactors FROM events ORDER BY seq").toArray(),
      );
      rows.forEach((row, i) => {
        if (i > 0) expect(row.seq).toBe(rows[i - 1]!.seq + 1);
        const event = JSON.parse(row.json) as RoomEvent;
        expect(event.seq).toBe(row.seq);
        for (const key of Object.keys(event)) expect(EVENT_KEYS[event.type]).toContain(key);
        // Each message is stored as it is now: edited text, or no text at all once deleted.
        if (own.has(row.seq)) expect(event).toEqual(own.get(row.seq));
        // Who reacted is kept beside the counts, and agrees with them.
        const reactors = row.reactors === null ? {} : (JSON.parse(row.reactors) as Record<string, string[]>);
        const counts = Object.fromEntries(Object.entries(reactors).map(([e, ids]) => [e, ids.length]));
        expect(event.type === "message" && !("deleted" in event) ? (event.reactions ?? {}) : {}).toEqual(counts);
        expect(Object.values(reactors).flat().every((id) => id === self.id)).toBe(true);
      });
      expect(rows.at(-1)?.seq).toBe(lastSeq);
    };

    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof({ weight: 4, arbitrary: anyFrame }, { weight: 2, arbitrary: recentChange }), { minLength: 1, maxLength: 8 }), async (frames) => {
        for (const item of frames) {
          const data = typeof item === "object" && "back" in item ? changeFrame(item, lastSeq) : item;
          fuzzer.socket.send(data);
          fuzzer.socket.send({ type: "history", before: SENTINEL, limit: 1 });
          const answers: ServerFrame[] = [];
          for (;;) {
            const frame = await fuzzer.socket.next();
            if (isSentinel(frame)) break;
            answers.push(frame);
          }
          for (const a of answers) if (a.type === "error") expect(a.code).not.toBe("internal");

          const decoded = decodeClientFrame(data, limits);
          if (!decoded.ok) {
            expect(answers).toEqual([expect.objectContaining({ type: "error", code: decoded.error.code })]);
            expect(ERROR_CODES).toContain(decoded.error.code);
            continue;
          }
          const frame = decoded.value;
          switch (frame.type) {
            case "join":
              expect(answers).toEqual([expect.objectContaining({ type: "error", code: "bad_request" })]);
              break;
            case "typing":
              expect(answers).toEqual([]);
              break;
            case "history":
              expect(answers).toEqual([expect.objectContaining({ type: "history", ...("before" in frame ? { before: frame.before } : { after: frame.after }) })]);
              break;
            case "rename": {
              if (frame.name === self.name) {
                expect(answers).toEqual([]);
                break;
              }
              const from = self.name;
              self = { id: self.id, name: frame.name };
              expect(answers).toEqual([{ type: "renamed", seq: lastSeq + 1, ts: expect.any(Number), member: self, from }]);
              lastSeq += 1;
              expectedAtObserver.push(lastSeq);
              break;
            }
            case "message": {
              expect(answers).toHaveLength(1);
              const event = answers[0] as MessageEvent;
              const original = frame.id === undefined ? undefined : seqOfId.get(frame.id);
              if (original !== undefined && event.type === "message" && event.seq <= lastSeq) {
                // A resend within the dedup window: the original (as it is now) comes back, nothing new stored.
                expect(event).toEqual(own.get(original));
                break;
              }
              // A reply quotes a message of the fuzzer's that still has its text; anything else is not_found.
              const quoted = frame.replyTo === undefined ? undefined : own.get(frame.replyTo);
              const quote = quoted && !("deleted" in quoted) ? quoteOf(quoted) : undefined;
              if (frame.replyTo !== undefined && (!quote || (answers[0]?.type === "error" && mayBePruned(frame.replyTo)))) {
                expect(answers).toEqual([expect.objectContaining({ type: "error", code: "not_found", ...(frame.id === undefined ? {} : { ref: frame.id }) })]);
                break;
              }
              // Everything server-owned comes from the server.
              expect(event).toEqual({
                type: "message",
                seq: lastSeq + 1,
                ts: expect.any(Number),
                from: self,
                text: frame.text,
                ...(frame.id === undefined ? {} : { id: frame.id }),
                ...(frame.action ? { action: true } : {}),
                ...(quote ? { replyTo: quote } : {}),
              });
              lastSeq += 1;
              expectedAtObserver.push(lastSeq);
              own.set(event.seq, event);
              if (frame.id !== undefined) seqOfId.set(frame.id, event.seq);
              break;
            }
            case "edit":
            case "delete": {
              const target = own.get(frame.seq);
              if (!target || "deleted" in target || (answers[0]?.type === "error" && answers[0].code === "not_found" && mayBePruned(frame.seq))) {
                // Not a message of the fuzzer's (the observer sends none), deleted, or pruned.
                expect(answers).toEqual([expect.objectContaining({ type: "error", code: "not_found" })]);
                own.delete(frame.seq);
                break;
              }
              if (frame.type === "edit" && frame.text === target.text) {
                expect(answers).toEqual([]);
                break;
              }
              const by = self;
              const change =
                frame.type === "edit"
                  ? { type: "edited", seq: lastSeq + 1, ts: expect.any(Number), target: frame.seq, by, text: frame.text }
                  : { type: "deleted", seq: lastSeq + 1, ts: expect.any(Number), target: frame.seq, by };
              expect(answers).toEqual([change]);
              const { text: _text, edited: _edited, action: _action, replyTo: _replyTo, reactions: _reactions, ...rest } = target;
              own.set(frame.seq, frame.type === "edit" ? { ...target, text: frame.text, edited: expect.any(Number) } : { ...rest, deleted: true });
              if (frame.type === "delete") reacted.delete(frame.seq);
              requote(change as Parameters<typeof quoteAfter>[1]);
              lastSeq += 1;
              expectedAtObserver.push(lastSeq);
              break;
            }
            case "react": {
              const target = own.get(frame.seq);
              if (!target || "deleted" in target || (answers[0]?.type === "error" && answers[0].code === "not_found" && mayBePruned(frame.seq))) {
                expect(answers).toEqual([expect.objectContaining({ type: "error", code: "not_found" })]);
                break;
              }
              const emoji = reacted.get(frame.seq) ?? [];
              if (emoji.includes(frame.emoji) === frame.on) {
                // Already on, or not on: nothing changes, nothing is said.
                expect(answers).toEqual([]);
                break;
              }
              if (frame.on && emoji.length >= limits.REACTIONS_MAX) {
                expect(answers).toEqual([expect.objectContaining({ type: "error", code: "too_many_reactions" })]);
                break;
              }
              const now = frame.on ? [...emoji, frame.emoji] : emoji.filter((e) => e !== frame.emoji);
              reacted.set(frame.seq, now);
              const counts = Object.fromEntries(now.map((e) => [e, 1]));
              expect(answers).toEqual([{ type: "reactions", seq: lastSeq + 1, ts: expect.any(Number), target: frame.seq, counts, by: self, emoji: frame.emoji, on: frame.on }]);
              const { reactions: _reactions, ...rest } = target;
              own.set(frame.seq, now.length === 0 ? rest : { ...target, reactions: counts });
              lastSeq += 1;
              expectedAtObserver.push(lastSeq);
              break;
            }
            case "search":
              // Whatever the query holds (FTS5 syntax included), an answer and never an error but pacing.
              expect(answers).toEqual([expect.objectContaining({ type: answers[0]?.type === "error" ? "error" : "search" })]);
              if (answers[0]?.type === "error") expect(answers[0]).toMatchObject({ code: "rate_limited" });
              else expect(answers[0]).toMatchObject({ q: frame.q, results: expect.any(Array), hasMore: expect.any(Boolean) });
              break;
            case "kick":
            case "ban":
            case "bans":
            case "unban":
            case "settings":
            case "members":
              // The fuzzer is no owner: nothing changes.
              expect(answers).toEqual([expect.objectContaining({ type: "error", code: "forbidden" })]);
              break;
            default:
              unreachable(frame);
          }
        }
        // Checked after every run: rewritten rows (quotes, counts) leave history within a few runs.
        await checkStored();
      }),
      { numRuns: 150 },
    );

    // The observer saw exactly the events that were stored, in order.
    const seen = (await observer.socket.drain()).flatMap((f) => ("seq" in f ? [f.seq] : []));
    expect(seen).toEqual(expectedAtObserver);

    await checkStored();
    observer.socket.close(1000);
    fuzzer.socket.close(1000);
  }, 60_000);
});
