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
import { ERROR_CODES, type Member, type MessageEvent, type RoomEvent, type ServerFrame } from "../../../src/protocol/frames.ts";
import { readLimits } from "../../../src/protocol/limits.ts";
import { decodeClientFrame } from "../../../src/protocol/validate.ts";
import { anyFrame } from "../../support/arbitraries.ts";
import { join, uniqueRoom } from "../../workerd/socket.ts";

const limits = readLimits(env);
const SENTINEL = 987_654_321;
const isSentinel = (f: ServerFrame) => f.type === "history" && f.before === SENTINEL;
const EVENT_KEYS: Record<RoomEvent["type"], string[]> = {
  message: ["type", "seq", "ts", "from", "text", "id", "action"],
  joined: ["type", "seq", "ts", "member"],
  left: ["type", "seq", "ts", "member"],
  renamed: ["type", "seq", "ts", "member", "from"],
};

describe("the room under fuzzing", () => {
  it("answers every hostile frame as documented and stores only what is valid", async () => {
    const room = uniqueRoom("fuzz");
    const observer = await join(room, "observer");
    const fuzzer = await join(room, "fuzzer");
    await observer.socket.nextOf("joined");
    let self: Member = fuzzer.welcome.self;
    let lastSeq = fuzzer.welcome.lastSeq;
    const ownById = new Map<string, MessageEvent>();
    const expectedAtObserver: number[] = [];

    await fc.assert(
      fc.asyncProperty(fc.array(anyFrame, { minLength: 1, maxLength: 8 }), async (frames) => {
        for (const data of frames) {
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
              expect(answers).toEqual([expect.objectContaining({ type: "history", before: frame.before })]);
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
              const key = frame.id === undefined ? undefined : `${self.name}\u0000${frame.id}`;
              if (key !== undefined && event.seq <= lastSeq) {
                // A resend within the dedup window: the original comes back, nothing new stored.
                expect(event).toEqual(ownById.get(key));
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
              if (key !== undefined) ownById.set(key, event);
              break;
            }
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
    });
    expect(rows.at(-1)?.seq).toBe(lastSeq);
    observer.socket.close(1000);
    fuzzer.socket.close(1000);
  }, 60_000);
});
