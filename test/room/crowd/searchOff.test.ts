/**
 * SEARCH=off (set for this project in vitest.config.ts; crowds do not depend
 * on it): no index is written, and a search is refused with bad_request.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import { join, uniqueRoom } from "../../workerd/socket.ts";

it("refuses searches and keeps no index when SEARCH is off", async () => {
  const room = uniqueRoom();
  const alice = await join(room, "alice");
  alice.socket.send({ type: "message", text: "unindexed words" });
  await alice.socket.nextMessage((m) => m.text === "unindexed words");
  alice.socket.send({ type: "search", q: "unindexed" });
  expect(await alice.socket.nextOf("error")).toMatchObject({ code: "bad_request", message: expect.stringContaining("search is turned off") });
  const tables = await runInDurableObject(env.ROOMS.get(env.ROOMS.idFromName(room)), (_instance, state) =>
    state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name LIKE 'search%'").toArray().map((r) => r.name),
  );
  expect(tables).toEqual([]);
  alice.socket.close(1000);
});
