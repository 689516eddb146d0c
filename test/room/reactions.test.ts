/**
 * Reactions inside workerd through the Worker's real router, with
 * wrangler.toml's defaults (REACTIONS_MAX 20): counts for everyone, one of
 * each emoji per member, the cap, what is refused, and what storage keeps
 * (counts in the message's JSON, who reacted beside it) across eviction,
 * deletion and a room created before reactions existed.
 */
import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HistoryFrame, Member, ReactionsEvent, SpokenMessage } from "../../src/protocol/frames.ts";
import type { TestSocket } from "../support/testSocket.ts";
import { join, uniqueRoom } from "../workerd/socket.ts";

const stubOf = (room: string) => env.ROOMS.get(env.ROOMS.idFromName(room));

/** A message's stored row: its event and who reacted to it, parsed. */
const storedRow = (room: string, seq: number) =>
  runInDurableObject(stubOf(room), (_instance, state) => {
    const row = state.storage.sql.exec<{ json: string; reactors: string | null }>("SELECT json, reactors FROM events WHERE seq = ?", seq).one();
    return { event: JSON.parse(row.json) as unknown, reactors: row.reactors === null ? null : (JSON.parse(row.reactors) as Record<string, string[]>) };
  });

const spoken = (events: readonly { type: string }[], seq: number) =>
  events.find((e) => e.type === "message" && !("deleted" in e) && (e as SpokenMessage).seq === seq) as SpokenMessage | undefined;

/** The next reactions event a socket hears (the one with `seq`, when given). */
const nextReactions = (socket: TestSocket, seq?: number) =>
  socket.next((f) => f.type === "reactions" && (seq === undefined || f.seq === seq)) as Promise<ReactionsEvent>;

/** A room where alice said something: the people and the message. */
async function roomWithMessage(names: string[] = ["alice", "bob"]) {
  const room = uniqueRoom();
  const people: { socket: TestSocket; welcome: { self: Member } }[] = [];
  for (const name of names) people.push(await join(room, name));
  people[0]!.socket.send({ type: "message", text: "react to me" });
  const message = await people.at(-1)!.socket.nextMessage();
  return { room, people, message };
}

const EMOJI = ["👍", "👎", "❤️", "😂", "😮", "😢", "🎉", "🚀", "👀", "🔥", "✅", "❌", "🙏", "💯", "🤔", "👏", "🙌", "😍", "🤝", "⭐", "🍕"];

describe("reactions", () => {
  it("broadcast the counts to everyone: the same emoji from a second member makes 2, taking one back makes 1", async () => {
    const { people, message } = await roomWithMessage(["alice", "bob", "carol"]);
    const [alice, bob, carol] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];

    bob.socket.send({ type: "react", seq: message.seq, emoji: "👍", on: true });
    const first = await nextReactions(alice.socket);
    expect(first).toEqual({ type: "reactions", seq: message.seq + 1, ts: expect.any(Number), target: message.seq, counts: { "👍": 1 }, by: bob.welcome.self, emoji: "👍", on: true });
    for (const p of [bob, carol]) expect(await nextReactions(p.socket)).toEqual(first);

    carol.socket.send({ type: "react", seq: message.seq, emoji: "👍", on: true });
    expect(await nextReactions(alice.socket)).toMatchObject({ counts: { "👍": 2 }, by: carol.welcome.self, emoji: "👍", on: true });
    alice.socket.send({ type: "react", seq: message.seq, emoji: "❤️", on: true });
    expect(await nextReactions(bob.socket, message.seq + 3)).toMatchObject({ counts: { "👍": 2, "❤️": 1 }, by: alice.welcome.self });
    bob.socket.send({ type: "react", seq: message.seq, emoji: "👍", on: false });
    const off = await nextReactions(carol.socket, message.seq + 4);
    expect(off).toMatchObject({ seq: message.seq + 4, counts: { "👍": 1, "❤️": 1 }, by: bob.welcome.self, emoji: "👍", on: false });
    // First used first, however the counts change.
    expect(Object.keys(off.counts)).toEqual(["👍", "❤️"]);
    carol.socket.send({ type: "react", seq: message.seq, emoji: "👍", on: false });
    expect((await nextReactions(alice.socket, message.seq + 5)).counts).toEqual({ "❤️": 1 });
    for (const p of people) p.socket.close(1000);
  });

  it("count ❤ without its variation selector as ❤️: one emoji, one spelling, whoever typed it how", async () => {
    const { room, people, message } = await roomWithMessage();
    const [alice, bob] = people as [(typeof people)[0], (typeof people)[0]];
    alice.socket.send({ type: "react", seq: message.seq, emoji: "❤\uFE0F", on: true });
    expect(await nextReactions(bob.socket)).toMatchObject({ counts: { "❤\uFE0F": 1 }, emoji: "❤\uFE0F" });
    bob.socket.send({ type: "react", seq: message.seq, emoji: "❤", on: true });
    expect(await nextReactions(alice.socket, message.seq + 2)).toMatchObject({ counts: { "❤\uFE0F": 2 }, emoji: "❤\uFE0F", on: true });
    // Taken back in the other spelling: the same reaction.
    bob.socket.send({ type: "react", seq: message.seq, emoji: "❤\uFE0F", on: false });
    expect(await nextReactions(alice.socket, message.seq + 3)).toMatchObject({ counts: { "❤\uFE0F": 1 }, on: false });
    expect((await storedRow(room, message.seq)).reactors).toEqual({ "❤\uFE0F": [alice.welcome.self.id] });
    for (const p of people) p.socket.close(1000);
  });

  it("change nothing, and say nothing, when on twice or off when not on", async () => {
    const { room, people, message } = await roomWithMessage();
    const [alice, bob] = people as [(typeof people)[0], (typeof people)[0]];
    bob.socket.send({ type: "react", seq: message.seq, emoji: "👍", on: true });
    await nextReactions(alice.socket);
    await alice.socket.drain();
    const before = await storedRow(room, message.seq);
    const lastSeq = (await stubOf(room).info()).lastSeq;

    bob.socket.send({ type: "react", seq: message.seq, emoji: "👍", on: true });
    bob.socket.send({ type: "react", seq: message.seq, emoji: "🎉", on: false });
    alice.socket.send({ type: "react", seq: message.seq, emoji: "👍", on: false });
    expect(await bob.socket.drain(300)).toEqual([expect.objectContaining({ type: "reactions", by: bob.welcome.self })]);
    expect(await alice.socket.drain()).toEqual([]);
    expect((await stubOf(room).info()).lastSeq).toBe(lastSeq);
    expect(await storedRow(room, message.seq)).toEqual(before);
    for (const p of people) p.socket.close(1000);
  });

  it("allow 20 different emoji on a message (REACTIONS_MAX), then only more of those", async () => {
    // Five people, four emoji each: within each one's burst of frames.
    const { people, message } = await roomWithMessage(["alice", "bob", "carol", "dave", "erin"]);
    for (const [i, p] of people.entries()) {
      for (const emoji of EMOJI.slice(i * 4, i * 4 + 4)) p.socket.send({ type: "react", seq: message.seq, emoji, on: true });
    }
    const watcher = people[0]!.socket;
    await watcher.until(() => watcher.frames.filter((f) => f.type === "reactions").length === 20, "20 reactions");
    const last = watcher.frames.filter((f): f is ReactionsEvent => f.type === "reactions").at(-1)!;
    expect(Object.keys(last.counts)).toHaveLength(20);

    const erin = people[4]!;
    erin.socket.send({ type: "react", seq: message.seq, emoji: EMOJI[20]!, on: true });
    expect(await erin.socket.nextOf("error")).toMatchObject({ code: "too_many_reactions" });
    // More of an emoji already there is fine.
    erin.socket.send({ type: "react", seq: message.seq, emoji: EMOJI[0]!, on: true });
    expect((await nextReactions(erin.socket)).counts[EMOJI[0]!]).toBe(2);
    // An emoji whose count drops to 0 makes room for another.
    const bob = people[1]!;
    bob.socket.send({ type: "react", seq: message.seq, emoji: EMOJI[4]!, on: false });
    expect((await nextReactions(erin.socket)).counts).not.toHaveProperty(EMOJI[4]!);
    erin.socket.send({ type: "react", seq: message.seq, emoji: EMOJI[20]!, on: true });
    const now = await nextReactions(erin.socket);
    expect(Object.keys(now.counts)).toHaveLength(20);
    expect(Object.keys(now.counts).at(-1)).toBe(EMOJI[20]);
    for (const p of people) p.socket.close(1000);
  });

  it("are refused with reaction_invalid unless the emoji is one emoji; nothing is stored", async () => {
    const { room, people, message } = await roomWithMessage();
    const [alice] = people as [(typeof people)[0]];
    const lastSeq = (await stubOf(room).info()).lastSeq;
    for (const emoji of ["a", "👍👍", "1", "", "🎉".repeat(20), "x".repeat(40), "👍a"]) {
      alice.socket.send({ type: "react", seq: message.seq, emoji, on: true });
      expect((await alice.socket.nextOf("error")).code, JSON.stringify(emoji)).toBe("reaction_invalid");
    }
    expect((await stubOf(room).info()).lastSeq).toBe(lastSeq);
    expect(await storedRow(room, message.seq)).toEqual({ event: message, reactors: null });
    for (const p of people) p.socket.close(1000);
  });

  it("are refused with not_found on a missing message, an event that is not a message, or a deleted message", async () => {
    const { room, people, message } = await roomWithMessage();
    const [alice] = people as [(typeof people)[0]];
    alice.socket.send({ type: "delete", seq: message.seq });
    await alice.socket.nextOf("deleted");
    const lastSeq = (await stubOf(room).info()).lastSeq;
    for (const seq of [9999, 1, message.seq]) {
      alice.socket.send({ type: "react", seq, emoji: "👍", on: true });
      expect((await alice.socket.nextOf("error")).code, String(seq)).toBe("not_found");
    }
    expect((await stubOf(room).info()).lastSeq).toBe(lastSeq);
    for (const p of people) p.socket.close(1000);
  });

  it("show on the message in a newcomer's welcome and in history pages, after eviction too", async () => {
    const { room, people, message } = await roomWithMessage();
    const [alice, bob] = people as [(typeof people)[0], (typeof people)[0]];
    bob.socket.send({ type: "react", seq: message.seq, emoji: "🎉", on: true });
    bob.socket.send({ type: "react", seq: message.seq, emoji: "👍", on: true });
    alice.socket.send({ type: "react", seq: message.seq, emoji: "👍", on: true });
    await alice.socket.until(() => alice.socket.frames.filter((f) => f.type === "reactions").length === 3, "3 reactions");

    const carol = await join(room, "carol");
    expect(spoken(carol.welcome.events, message.seq)).toEqual({ ...message, reactions: { "🎉": 1, "👍": 2 } });
    await evictDurableObject(stubOf(room));
    const dave = await join(room, "dave");
    expect(spoken(dave.welcome.events, message.seq)).toEqual({ ...message, reactions: { "🎉": 1, "👍": 2 } });
    dave.socket.send({ type: "history", before: message.seq + 1 });
    expect(spoken(((await dave.socket.nextOf("history")) as HistoryFrame).events, message.seq)?.reactions).toEqual({ "🎉": 1, "👍": 2 });

    // Who reacted is remembered across eviction: bob's 👍 is still his alone to take back.
    bob.socket.send({ type: "react", seq: message.seq, emoji: "👍", on: true });
    bob.socket.send({ type: "react", seq: message.seq, emoji: "👍", on: false });
    expect(await nextReactions(dave.socket)).toMatchObject({ counts: { "🎉": 1, "👍": 1 }, by: bob.welcome.self, on: false });
    expect((await storedRow(room, message.seq)).reactors).toEqual({ "🎉": [bob.welcome.self.id], "👍": [alice.welcome.self.id] });
    for (const p of [...people, carol, dave]) p.socket.close(1000);
  });

  it("go with the message when it is deleted, and who made them too", async () => {
    const { room, people, message } = await roomWithMessage();
    const [alice, bob] = people as [(typeof people)[0], (typeof people)[0]];
    bob.socket.send({ type: "react", seq: message.seq, emoji: "🎉", on: true });
    await nextReactions(alice.socket);
    alice.socket.send({ type: "delete", seq: message.seq });
    await bob.socket.nextOf("deleted");

    expect(await storedRow(room, message.seq)).toEqual({
      event: { type: "message", seq: message.seq, ts: message.ts, from: alice.welcome.self, deleted: true },
      reactors: null,
    });
    const carol = await join(room, "carol");
    expect(spoken(carol.welcome.events, message.seq)).toBeUndefined();
    expect(carol.welcome.events.find((e) => e.seq === message.seq)).toEqual({ type: "message", seq: message.seq, ts: message.ts, from: alice.welcome.self, deleted: true });
    for (const p of [...people, carol]) p.socket.close(1000);
  });

  it("share the address's message bucket: one address makes 20 at once, however many sockets it uses", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const address = "10.251.0.1";
    const bots = [];
    for (let i = 0; i < 3; i++) bots.push(await join(room, `bot${i}`, { address }));
    for (let i = 0; i < 3; i++) alice.socket.send({ type: "message", text: `react to me ${i}` });
    const messages = [];
    for (let i = 0; i < 3; i++) messages.push(await bots[2]!.socket.nextMessage());
    // 27 reactions from one address (9 per socket, each within its own burst), which may make 20 at once (ADDRESS_MESSAGE_BURST).
    for (const [i, bot] of bots.entries()) {
      for (const emoji of EMOJI.slice(0, 9)) bot.socket.send({ type: "react", seq: messages[i]!.seq, emoji, on: true });
    }
    const answers = await Promise.all(bots.map((bot) => bot.socket.drain(300)));
    const made = answers[0]!.filter((f): f is ReactionsEvent => f.type === "reactions");
    const refused = answers.flat().filter((f) => f.type === "error" && f.code === "rate_limited");
    // 20, and a token more per 100 ms (ADDRESS_MESSAGES_PER_SECOND 10) the room took over them on a busy machine.
    const took = made.at(-1)!.ts - made[0]!.ts;
    expect(made.length).toBeGreaterThanOrEqual(20);
    expect(made.length).toBeLessThanOrEqual(20 + Math.ceil(took / 100) + 1);
    expect(made.length).toBeLessThan(27);
    expect(refused).toHaveLength(27 - made.length);
    for (const p of [...bots, alice]) p.socket.close(1000);
  });

  it("migrate a room created before reactions: its events table gets the reactors column", async () => {
    const room = uniqueRoom();
    const stub = stubOf(room);
    const from = { id: "0123456789ab", name: "olden" };
    const old = { type: "message", seq: 1, ts: 1_700_000_000_000, from, text: "from before reactions", id: "old-1" };
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("DROP TABLE events");
      state.storage.sql.exec("CREATE TABLE events (seq INTEGER PRIMARY KEY, json TEXT NOT NULL, sender TEXT, cid TEXT)");
      state.storage.sql.exec("INSERT INTO events (json, sender, cid) VALUES (?, ?, ?)", JSON.stringify(old), from.id, "old-1");
    });
    // The next instance starts from that storage.
    await evictDurableObject(stub);

    const alice = await join(room, "alice");
    expect(alice.welcome.events[0]).toEqual(old);
    const columns = await runInDurableObject(stub, (_instance, state) => state.storage.sql.exec("SELECT * FROM events LIMIT 0").columnNames);
    expect(columns).toEqual(["seq", "json", "sender", "cid", "reactors"]);
    alice.socket.send({ type: "react", seq: 1, emoji: "👍", on: true });
    expect(await nextReactions(alice.socket)).toMatchObject({ target: 1, counts: { "👍": 1 } });
    expect(await storedRow(room, 1)).toEqual({ event: { ...old, reactions: { "👍": 1 } }, reactors: { "👍": [alice.welcome.self.id] } });
    alice.socket.close(1000);
  });
});
