import { describe, expect, it } from "vitest";
import type { JoinedEvent, LeftEvent, MessageEvent, RoomEvent, SpokenMessage } from "../../src/protocol/frames.ts";
import { join, openSocket, uniqueRoom } from "../workerd/socket.ts";

const isEvent = (frame: { type: string }): frame is RoomEvent => "seq" in frame;

describe("a room with two people", () => {
  it("welcomes, announces joins, and broadcasts messages to everyone, sender included", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    expect(alice.welcome).toMatchObject({
      type: "welcome",
      protocol: 1,
      room,
      self: { name: "alice" },
      members: [{ name: "alice" }],
      lastSeq: 1,
      hasMore: false,
    });
    expect(alice.welcome.self.id).toMatch(/^[0-9a-f]{12}$/);
    expect(alice.welcome.session).toMatch(/^[0-9a-f]{32}$/);
    expect(alice.welcome.events).toEqual([expect.objectContaining({ type: "joined", seq: 1, member: alice.welcome.self })]);

    const bob = await join(room, "bob");
    expect(bob.welcome.members).toEqual([alice.welcome.self, bob.welcome.self]);
    const joined = (await alice.socket.nextOf("joined")) as JoinedEvent;
    expect(joined).toMatchObject({ seq: 2, member: bob.welcome.self });
    expect(typeof joined.ts).toBe("number");

    alice.socket.send({ type: "message", text: "hi bob", id: "a-1" });
    const atBob = (await bob.socket.nextOf("message")) as MessageEvent;
    const atAlice = (await alice.socket.nextOf("message")) as MessageEvent;
    expect(atBob).toEqual(atAlice);
    expect(atBob).toMatchObject({ seq: 3, from: alice.welcome.self, text: "hi bob", id: "a-1" });

    bob.socket.send({ type: "message", text: "waves", action: true });
    expect(await alice.socket.nextOf("message")).toMatchObject({ seq: 4, text: "waves", action: true, from: bob.welcome.self });
    expect((await bob.socket.nextOf("message")).seq).toBe(4);

    // Leaving with 1000 is announced at once.
    bob.socket.close(1000);
    const left = (await alice.socket.nextOf("left")) as LeftEvent;
    expect(left).toMatchObject({ seq: 5, member: bob.welcome.self });
    alice.socket.close(1000);
  });

  it("relays typing to the others only, without storing it", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    await alice.socket.nextOf("joined");
    bob.socket.send({ type: "typing" });
    expect(await alice.socket.nextOf("typing")).toEqual({ type: "typing", member: bob.welcome.self });
    bob.socket.send({ type: "message", text: "done typing" });
    const message = await bob.socket.nextOf("message");
    expect(message.seq).toBe(3); // typing took no seq
    expect(bob.socket.frames.some((f) => f.type === "typing")).toBe(false);
    alice.socket.close(1000);
    bob.socket.close(1000);
  });

  it("renames: a renamed event for all, and later messages carry the new name", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    bob.socket.send({ type: "rename", name: "robert" });
    const renamed = await alice.socket.nextOf("renamed");
    expect(renamed).toMatchObject({ member: { id: bob.welcome.self.id, name: "robert" }, from: "bob" });
    expect(await bob.socket.nextOf("renamed")).toEqual(renamed);
    bob.socket.send({ type: "message", text: "call me robert" });
    expect((await alice.socket.nextOf("message")).from).toEqual({ id: bob.welcome.self.id, name: "robert" });
    // Renaming to the same name changes nothing and stores nothing.
    bob.socket.send({ type: "rename", name: "robert" });
    bob.socket.send({ type: "message", text: "still robert" });
    const next = await alice.socket.next(isEvent);
    expect(next).toMatchObject({ type: "message", text: "still robert", seq: renamed.seq + 2 });
    alice.socket.close(1000);
    bob.socket.close(1000);
  });

  it("answers the keep-alive ping with pong", async () => {
    const { socket } = await join(uniqueRoom(), "alice");
    socket.send("ping");
    await socket.until(() => socket.rawFrames.length > 0, "an answer to the ping");
    expect(socket.rawFrames).toContain("pong");
    socket.close(1000);
  });
});

describe("a room with ten people", () => {
  it("delivers every message to everyone in one order, with gap-free seqs", async () => {
    const room = uniqueRoom();
    const people = [];
    for (let i = 0; i < 10; i++) people.push(await join(room, `user${i}`));
    // Everyone sends two messages, interleaved.
    for (let round = 0; round < 2; round++) {
      for (const [i, p] of people.entries()) p.socket.send({ type: "message", text: `m${round}-${i}`, id: `u${i}-${round}` });
    }
    const transcripts: string[][] = [];
    for (const p of people) {
      const events: RoomEvent[] = [];
      while (events.filter((e) => e.type === "message").length < 20) events.push((await p.socket.next(isEvent)) as RoomEvent);
      const messages = events.filter((e): e is SpokenMessage => e.type === "message" && !("deleted" in e));
      // Seqs are consecutive.
      messages.forEach((m, k) => k > 0 && expect(m.seq).toBe(messages[k - 1]!.seq + 1));
      transcripts.push(messages.map((m) => `${m.seq}:${m.text}`));
    }
    for (const t of transcripts) expect(t).toEqual(transcripts[0]);
    expect(transcripts[0]).toHaveLength(20);
    // The last one in saw all ten in the member list.
    expect(people[9]!.welcome.members.map((m) => m.name)).toEqual(people.map((_, i) => `user${i}`));
    for (const p of people) p.socket.close(1000);
  });
});

describe("a join in the socket URL", () => {
  const openWithQuery = (room: string, query: string) => openSocket(room, {}, query);

  it("welcomes at once, as if the first frame had been a join", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await openWithQuery(room, "name=bob");
    const welcome = await bob.nextOf("welcome");
    expect(bob.frames[0]).toBe(welcome);
    expect(welcome).toMatchObject({ self: { name: "bob" }, online: 2, members: [alice.welcome.self, { name: "bob" }] });
    expect(await alice.socket.nextOf("joined")).toMatchObject({ seq: 2, member: welcome.self });

    // It is joined: a join frame now is a mistake, a message is not.
    bob.send({ type: "join", name: "bob" });
    expect(await bob.nextOf("error")).toMatchObject({ code: "bad_request" });
    bob.send({ type: "message", text: "hi", id: "b1" });
    expect(await alice.socket.nextMessage()).toMatchObject({ seq: 3, from: welcome.self, text: "hi" });

    // `since` resumes from the URL too.
    const carol = await openWithQuery(room, "name=carol&since=2");
    expect((await carol.nextOf("welcome")).events.map((e) => e.seq)).toEqual([3, 4]);
    for (const s of [alice.socket, bob, carol]) s.close(1000);
  });

  it("answers a bad join in the URL with its error and keeps the socket for a join frame", async () => {
    const room = uniqueRoom();
    const bad = await openWithQuery(room, "name=%E2%80%AEevil");
    expect(await bad.nextOf("error")).toMatchObject({ code: "name_invalid" });
    expect(await bad.joinAs("fine")).toMatchObject({ self: { name: "fine" }, lastSeq: 1 });

    const secret = await openWithQuery(room, `name=x&session=${"a".repeat(32)}`);
    expect(await secret.nextOf("error")).toMatchObject({ code: "bad_request" });
    expect(secret.closed).toBeUndefined();
    for (const s of [bad, secret]) s.close(1000);
  });
});
