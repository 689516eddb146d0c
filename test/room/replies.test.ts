/**
 * Replies inside workerd through the Worker's real router: the quote the
 * room stores with a reply, and how it follows the original's edits and
 * deletion in storage, welcomes and history pages.
 */
import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HistoryFrame, SpokenMessage } from "../../src/protocol/frames.ts";
import { join, uniqueRoom } from "../workerd/socket.ts";

const stubOf = (room: string) => env.ROOMS.get(env.ROOMS.idFromName(room));

/** The whole room database as text: every table, every row. */
const everythingStored = (room: string) =>
  runInDurableObject(stubOf(room), (_instance, state) => {
    const tables = state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
      .toArray();
    return tables.map(({ name }) => JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray())).join("\n");
  });

const spoken = (events: readonly { type: string }[], seq: number) =>
  events.find((e) => e.type === "message" && !("deleted" in e) && (e as SpokenMessage).seq === seq) as SpokenMessage | undefined;

describe("replies", () => {
  it("store a quote of the message they answer: its author and its start as one line, cut at 100 code points", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    // Whitespace runs fold to one space; 12 code points, then emoji (two UTF-16 units each) past the cut.
    alice.socket.send({ type: "message", text: `  hello \n\n\t world ${"😀".repeat(120)}` });
    const long = await bob.socket.nextMessage();
    alice.socket.send({ type: "message", text: "short\nand sweet" });
    const short = await bob.socket.nextMessage();

    bob.socket.send({ type: "message", text: "what a face", id: "r1", replyTo: long.seq });
    const reply = await alice.socket.nextMessage((m) => m.id === "r1");
    expect(reply).toEqual({
      type: "message",
      seq: short.seq + 1,
      ts: expect.any(Number),
      from: bob.welcome.self,
      text: "what a face",
      id: "r1",
      replyTo: { seq: long.seq, from: alice.welcome.self, snippet: `hello world ${"😀".repeat(88)}…` },
    });
    const snippet = reply.replyTo && "snippet" in reply.replyTo ? reply.replyTo.snippet : "";
    expect(Array.from(snippet)).toHaveLength(101);
    expect(snippet.isWellFormed()).toBe(true);
    // The sender's own copy is the same event.
    expect(await bob.socket.nextMessage((m) => m.id === "r1")).toEqual(reply);

    bob.socket.send({ type: "message", text: "agreed", replyTo: short.seq, action: true });
    expect((await alice.socket.nextMessage((m) => m.text === "agreed")).replyTo).toEqual({ seq: short.seq, from: alice.welcome.self, snippet: "short and sweet" });

    // A quote of an edited message says so.
    alice.socket.send({ type: "edit", seq: short.seq, text: "short, and sweet" });
    await bob.socket.nextOf("edited");
    bob.socket.send({ type: "message", text: "better", replyTo: short.seq });
    expect((await alice.socket.nextMessage((m) => m.text === "better")).replyTo).toEqual({
      seq: short.seq,
      from: alice.welcome.self,
      snippet: "short, and sweet",
      edited: true,
    });
    for (const p of [alice, bob]) p.socket.close(1000);
  });

  it("are refused with not_found, the message id as ref, when history has no message there or it was deleted", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    alice.socket.send({ type: "message", text: "soon gone" });
    const gone = await alice.socket.nextMessage();
    alice.socket.send({ type: "delete", seq: gone.seq });
    await alice.socket.nextOf("deleted");
    const before = await stubOf(room).info();

    // Nothing there, a join rather than a message, a deleted message.
    for (const [replyTo, id] of [[9999, "r-missing"], [1, "r-joined"], [gone.seq, "r-deleted"]] as const) {
      alice.socket.send({ type: "message", text: "about that", id, replyTo });
      expect(await alice.socket.nextOf("error")).toEqual({ type: "error", code: "not_found", message: expect.any(String), ref: id });
    }
    expect((await stubOf(room).info()).lastSeq).toBe(before.lastSeq);
    expect(await alice.socket.drain()).toEqual([]);
    alice.socket.close(1000);
  });

  it("are acknowledged when resent, even after the message they answer was deleted", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    alice.socket.send({ type: "message", text: "the original" });
    const original = await bob.socket.nextMessage();
    const frame = { type: "message", text: "a reply", id: "r-once", replyTo: original.seq } as const;
    bob.socket.send(frame);
    const reply = await bob.socket.nextMessage((m) => m.id === "r-once");
    alice.socket.send({ type: "delete", seq: original.seq });
    await bob.socket.nextOf("deleted");

    // The acknowledgement is the reply as stored now: its quote has lost the text.
    bob.socket.send(frame);
    expect(await bob.socket.nextMessage((m) => m.id === "r-once")).toEqual({ ...reply, replyTo: { seq: original.seq, from: alice.welcome.self, deleted: true } });
    expect(bob.socket.frames.filter((f) => f.type === "error")).toEqual([]);
    expect((await stubOf(room).info()).lastSeq).toBe(reply.seq + 1);
    for (const p of [alice, bob]) p.socket.close(1000);
  });

  it("follow an edit of the message they answer in later welcomes and history pages", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    alice.socket.send({ type: "message", text: "meet at 5" });
    const original = await bob.socket.nextMessage();
    alice.socket.send({ type: "message", text: "bring snacks" });
    const other = await bob.socket.nextMessage();
    bob.socket.send({ type: "message", text: "ok", id: "r1", replyTo: original.seq });
    bob.socket.send({ type: "message", text: "yum", id: "r2", replyTo: other.seq });
    for (const id of ["r1", "r2"]) await alice.socket.nextMessage((m) => m.id === id);
    alice.socket.send({ type: "message", text: "see you", id: "r3", replyTo: original.seq });
    await bob.socket.nextMessage((m) => m.id === "r3");
    // A reaction on a reply survives its quote being rewritten.
    bob.socket.send({ type: "react", seq: original.seq + 4, emoji: "👋", on: true });
    await alice.socket.nextOf("reactions");

    alice.socket.send({ type: "edit", seq: original.seq, text: "meet at\n6" });
    await bob.socket.nextOf("edited");

    const quote = { seq: original.seq, from: alice.welcome.self, snippet: "meet at 6", edited: true };
    const carol = await join(room, "carol", { since: 0 });
    const replay = carol.welcome.events;
    expect(spoken(replay, original.seq + 2)).toMatchObject({ id: "r1", replyTo: quote });
    expect(spoken(replay, original.seq + 4)).toMatchObject({ id: "r3", replyTo: quote, reactions: { "👋": 1 } });
    expect(spoken(replay, original.seq + 3)).toMatchObject({ id: "r2", replyTo: { seq: other.seq, from: alice.welcome.self, snippet: "bring snacks" } });
    expect(spoken(replay, original.seq + 3)?.replyTo).not.toHaveProperty("edited");
    carol.socket.send({ type: "history", before: original.seq + 5 });
    const page = (await carol.socket.nextOf("history")) as HistoryFrame;
    expect(spoken(page.events, original.seq + 2)?.replyTo).toEqual(quote);
    expect(JSON.stringify(page.events)).not.toContain("meet at 5");
    expect(await everythingStored(room)).not.toContain("meet at 5");
    for (const p of [alice, bob, carol]) p.socket.close(1000);
  });

  it("lose the quoted text when the message they answer is deleted: no word of it left in storage or a fresh welcome", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    alice.socket.send({ type: "message", text: "my pin is 4711" });
    const original = await bob.socket.nextMessage();
    alice.socket.send({ type: "edit", seq: original.seq, text: "my pin is 4711, oops" });
    await bob.socket.nextOf("edited");
    bob.socket.send({ type: "message", text: "delete that!", id: "r1", replyTo: original.seq });
    const reply = await alice.socket.nextMessage((m) => m.id === "r1");
    expect(JSON.stringify(reply.replyTo)).toContain("4711");
    // The reply itself is edited: it keeps its quote.
    bob.socket.send({ type: "edit", seq: reply.seq, text: "delete that, quick!" });
    await alice.socket.nextOf("edited");

    alice.socket.send({ type: "delete", seq: original.seq });
    await bob.socket.nextOf("deleted");
    expect(await everythingStored(room)).not.toContain("4711");
    await evictDurableObject(stubOf(room));
    expect(await everythingStored(room)).not.toContain("4711");

    const carol = await join(room, "carol", { since: 0 });
    expect(JSON.stringify(carol.welcome)).not.toContain("4711");
    expect(spoken(carol.welcome.events, reply.seq)).toEqual({
      ...reply,
      text: "delete that, quick!",
      edited: expect.any(Number),
      replyTo: { seq: original.seq, from: alice.welcome.self, deleted: true },
    });
    for (const p of [alice, bob, carol]) p.socket.close(1000);
  });
});
