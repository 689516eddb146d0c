/**
 * Search inside workerd through the Worker's real router: the `search` frame
 * and its answer, paging, edits and deletions reaching the index, query
 * syntax as plain text, and the index surviving eviction. Pruning with search
 * on is in tight/search.test.ts (it needs a small HISTORY_LIMIT); search
 * turned off in crowd/searchOff.test.ts.
 */
import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SearchFrame } from "../../src/protocol/frames.ts";
import type { TestSocket } from "../support/testSocket.ts";
import { join, uniqueRoom } from "../workerd/socket.ts";

const stubOf = (room: string) => env.ROOMS.get(env.ROOMS.idFromName(room));

/** A search's answer; paced as the room asks (a connection may send 10 frames at once, then 5 a second). */
async function search(socket: TestSocket, frame: { q: string; before?: number; limit?: number }): Promise<SearchFrame> {
  for (;;) {
    socket.send({ type: "search", ...frame });
    const answer = await socket.next((f) => f.type === "search" || (f.type === "error" && f.code === "rate_limited"));
    if (answer.type === "search") return answer;
    if (answer.type === "error") await new Promise((resolve) => setTimeout(resolve, answer.retryAfterMs ?? 200));
  }
}

/** alice says each text in turn; their seqs. */
async function say(socket: TestSocket, texts: string[]): Promise<number[]> {
  const seqs: number[] = [];
  for (const text of texts) {
    socket.send({ type: "message", text });
    seqs.push((await socket.nextMessage((m) => m.text === text)).seq);
  }
  return seqs;
}

describe("search", () => {
  it("answers with matching messages, newest first, who said them and a snippet; pages with before", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    const [a, , c, d] = await say(alice.socket, ["the launch is on Friday", "lunch?", "Launch checklist ready", "launching now 🚀"]);
    const found = await search(bob.socket, { q: "launch" });
    expect(found).toEqual({
      type: "search",
      q: "launch",
      results: [
        { seq: d, ts: expect.any(Number), from: alice.welcome.self, snippet: "launching now 🚀" },
        { seq: c, ts: expect.any(Number), from: alice.welcome.self, snippet: "Launch checklist ready" },
        { seq: a, ts: expect.any(Number), from: alice.welcome.self, snippet: "the launch is on Friday" },
      ],
      hasMore: false,
    });
    const first = await search(bob.socket, { q: "launch", limit: 2 });
    expect(first.results.map((r) => r.seq)).toEqual([d, c]);
    expect(first.hasMore).toBe(true);
    const next = await search(bob.socket, { q: "launch", limit: 2, before: c });
    expect(next.results.map((r) => r.seq)).toEqual([a]);
    expect(next.hasMore).toBe(false);
    // Every word must match.
    expect((await search(bob.socket, { q: "launch friday" })).results.map((r) => r.seq)).toEqual([a]);
    for (const p of [alice, bob]) p.socket.close(1000);
  });

  it("takes FTS5 query syntax as plain words: no error, no injection", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const [quoted] = await say(alice.socket, ['she said "NEAR(x y)" OR text:z -w *']);
    await say(alice.socket, ["something else entirely"]);
    for (const q of ['"', '""', "*", "NEAR(", "NEAR(x y)", "-", "-w", "text:z", "{text}:z", "x OR y", "OR", "AND NOT", "^x", "(", ")", "'); DROP TABLE events; --"]) {
      const found = await search(alice.socket, { q });
      expect(found.results.every((r) => r.seq === quoted), q).toBe(true);
    }
    expect((await search(alice.socket, { q: "near OR z" })).results.map((r) => r.seq)).toEqual([quoted]);
    // The room and its history are untouched.
    const bob = await join(room, "bob");
    expect(bob.welcome.events.filter((e) => e.type === "message").map((e) => e.seq)).toEqual([quoted, quoted! + 1]);
    for (const p of [alice, bob]) p.socket.close(1000);
  });

  it("follows edits and deletions: old words are no longer found, a deleted message not at all", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const [first, second] = await say(alice.socket, ["my secret recipe", "another recipe"]);
    alice.socket.send({ type: "edit", seq: first!, text: "my public recipe" });
    await alice.socket.nextOf("edited");
    expect((await search(alice.socket, { q: "secret" })).results).toEqual([]);
    expect((await search(alice.socket, { q: "public" })).results.map((r) => r.seq)).toEqual([first]);
    alice.socket.send({ type: "delete", seq: second! });
    await alice.socket.nextOf("deleted");
    expect((await search(alice.socket, { q: "recipe" })).results.map((r) => r.seq)).toEqual([first]);
    alice.socket.close(1000);
  });

  it("keeps its index across eviction, and refuses bad queries with bad_request", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const [seq] = await say(alice.socket, ["persistent words"]);
    await evictDurableObject(stubOf(room));
    expect((await search(alice.socket, { q: "persistent" })).results.map((r) => r.seq)).toEqual([seq]);
    for (const bad of [{ q: "" }, { q: "   " }, { q: "x".repeat(201) }, { q: "x", limit: 51 }, { q: "x", limit: 0 }, { q: "x", before: 0 }]) {
      alice.socket.send({ type: "search", ...bad });
      expect(await alice.socket.nextOf("error"), JSON.stringify(bad)).toMatchObject({ code: "bad_request" });
    }
    alice.socket.close(1000);
  });

  it("indexes the history a room kept from before it had an index", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const [seq] = await say(alice.socket, ["older words here"]);
    alice.socket.close(1000);
    // As if the room had been written by code without search: no index table.
    await runInDurableObject(stubOf(room), (_instance, state) => state.storage.sql.exec("DROP TABLE search"));
    await evictDurableObject(stubOf(room));
    const bob = await join(room, "bob");
    expect((await search(bob.socket, { q: "older" })).results.map((r) => r.seq)).toEqual([seq]);
    bob.socket.close(1000);
  });
});
