/** Search with HISTORY_LIMIT 20: pruning takes old messages out of the index with their events. */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import { join, uniqueRoom } from "../../workerd/socket.ts";

it("prunes the index with history: a pruned message is no longer found, and its index rows are gone", async () => {
  const room = uniqueRoom();
  const alice = await join(room, "alice");
  alice.socket.send({ type: "message", text: "ancient needle" });
  const old = await alice.socket.nextMessage((m) => m.text === "ancient needle");
  for (let i = 0; i < 40; i++) alice.socket.send({ type: "message", text: `filler ${i}` });
  await alice.socket.nextMessage((m) => m.text === "filler 39");
  alice.socket.send({ type: "message", text: "fresh needle" });
  const fresh = await alice.socket.nextMessage((m) => m.text === "fresh needle");
  alice.socket.send({ type: "search", q: "needle" });
  expect((await alice.socket.nextOf("search")).results.map((r) => r.seq)).toEqual([fresh.seq]);
  const indexed = await runInDurableObject(env.ROOMS.get(env.ROOMS.idFromName(room)), (_instance, state) =>
    state.storage.sql.exec<{ seq: number }>("SELECT rowid AS seq FROM search WHERE search MATCH 'needle OR filler' ORDER BY rowid").toArray().map((r) => r.seq),
  );
  expect(indexed).not.toContain(old.seq);
  expect(Math.min(...indexed)).toBeGreaterThan(fresh.seq - 31);
  alice.socket.close(1000);
});
