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
import { decodeClientFrame } from "../../../src/protocol/validate.ts";
import { anyFrame, nastyString } from "../../support/arbitraries.ts";
import { join, uniqueRoom } from "../../workerd/socket.ts";

const limits = readLimits(env);
const SENTINEL = 987_654_321;
const isSentinel = (f: ServerFrame) => f.type === "history" && "before" in f && f.before === SENTINEL;
const EVENT_KEYS: Record<RoomEvent["type"], string[]> = {
  message: ["type", "seq", "ts", "from", "text", "id", "action", "edited", "deleted"],
  joined: ["type", "seq", "ts", "member"],
  left: ["type", "seq", "ts", "member"],
  renamed: ["type", "seq", "ts", "member", "from"],
  edited: ["type", "seq", "ts", "target", "by", "text", "deleted"],
  deleted: ["type", "seq", "ts", "target", "by"],
  kicked: ["type", "seq", "ts", "member", "by", "reason"],
  banned: ["type", "seq", "ts", "member", "by", "reason", "until"],
  settings: ["type", "seq", "ts", "topic", "slowModeSeconds", "locked", "by"],
};

const recentChange = fc.record({ type: fc.constantFrom("edit", "delete"), back: fc.nat(6), text: nastyString(30) });

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
    const seqOfId = new Map<string, number>();
    // Older rows may have been pruned (HISTORY_LIMIT, with some slack): an edit may then find nothing.
    const mayBePruned = (seq: number) => seq <= lastSeq - limits.HISTORY_LIMIT;
    const expectedAtObserver: number[] = [];

    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof({ weight: 4, arbitrary: anyFrame }, { weight: 1, arbitrary: recentChange }), { minLength: 1, maxLength: 8 }), async (frames) => {
        for (const item of frames) {
          // An edit or delete aimed at one of the last few events, most of them the fuzzer's own messages.
          const data = typeof item === "object" && "back" in item ? JSON.stringify({ type: item.type, seq: lastSeq - item.back, text: item.text }) : item;
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
              if (original !== undefined && event.seq <= lastSeq) {
                // A resend within the dedup window: the original (as it is now) comes back, nothing new stored.
                expect(event).toEqual(own.get(original));
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
              const { text: _text, edited: _edited, action: _action, ...rest } = target;
              own.set(frame.seq, frame.type === "edit" ? { ...target, text: frame.text, edited: expect.any(Number) } : { ...rest, deleted: true });
              lastSeq += 1;
              expectedAtObserver.push(lastSeq);
              break;
            }
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
      }),
      { numRuns: 150 },
    );

    // The observer saw exactly the events that were stored, in order.
    const seen = (await observer.socket.drain()).flatMap((f) => ("seq" in f ? [f.seq] : []));
    expect(seen).toEqual(expectedAtObserver);

    // Stored history is intact: gap-free seqs, well-formed events, only protocol fields.
    const rows = await runInDurableObject(env.ROOMS.get(env.ROOMS.idFromName(room)), (_instance, state) =>
      state.storage.sql.exec<{ seq: number; json: string }>("SELECT seq, json FROM events ORDER BY seq").toArray(),
    );
    rows.forEach((row, i) => {
      if (i > 0) expect(row.seq).toBe(rows[i - 1]!.seq + 1);
      const event = JSON.parse(row.json) as RoomEvent;
      expect(event.seq).toBe(row.seq);
      for (const key of Object.keys(event)) expect(EVENT_KEYS[event.type]).toContain(key);
      // Each message is stored as it is now: edited text, or no text at all once deleted.
      if (own.has(row.seq)) expect(event).toEqual(own.get(row.seq));
    });
    expect(rows.at(-1)?.seq).toBe(lastSeq);
    observer.socket.close(1000);
    fuzzer.socket.close(1000);
  }, 60_000);
});
