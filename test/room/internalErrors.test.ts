/**
 * Guarantee: a fault inside the room reaches clients as a generic error (a
 * 500 JSON error, or an `internal` error frame) with no stack trace or
 * internal detail, the connection carries on, and nothing is half-stored.
 */
import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Room } from "../../src/room/Room.ts";
import { join, ORIGIN, uniqueRoom } from "../workerd/socket.ts";

const SECRET_DETAIL = "disk on fire at /src/room/secret.ts:12";
const stubOf = (room: string) => env.ROOMS.get(env.ROOMS.idFromName(room));

/** Makes every SQL statement in the room throw until `restore` is called. */
async function breakStorage(room: string): Promise<() => Promise<void>> {
  await runInDurableObject(stubOf(room), (_instance: Room, state) => {
    const sql = state.storage.sql as SqlStorage & { broken?: SqlStorage["exec"] };
    sql.broken = sql.exec;
    sql.exec = () => {
      throw new Error(SECRET_DETAIL);
    };
  });
  return () =>
    runInDurableObject(stubOf(room), (_instance: Room, state) => {
      const sql = state.storage.sql as SqlStorage & { broken?: SqlStorage["exec"] };
      if (sql.broken) sql.exec = sql.broken;
    });
}

describe("faults inside the room", () => {
  it("answer a message with a generic internal error frame and keep the connection", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const restore = await breakStorage(room);
    alice.socket.send({ type: "message", text: "this write fails", id: "f-1" });
    const error = await alice.socket.nextOf("error");
    expect(error.code).toBe("internal");
    expect(JSON.stringify(error)).not.toContain("fire");
    expect(JSON.stringify(error)).not.toMatch(/\.ts\b|\bat \S+ \(/);
    await restore();
    alice.socket.send({ type: "message", text: "works again", id: "f-2" });
    expect(await alice.socket.nextMessage()).toMatchObject({ text: "works again", seq: alice.welcome.lastSeq + 1 });
    alice.socket.close(1000);
  });

  it("answer the HTTP API with a 500 JSON error without details", async () => {
    const room = uniqueRoom();
    // RPC looks methods up on the prototype: break `info` there, for this test only.
    const original = await runInDurableObject(stubOf(room), (instance: Room) => {
      const proto = Object.getPrototypeOf(instance) as Room;
      const info = proto.info;
      proto.info = () => {
        throw new Error(SECRET_DETAIL);
      };
      return info;
    });
    const response = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}`);
    await runInDurableObject(stubOf(room), (instance: Room) => {
      (Object.getPrototypeOf(instance) as Room).info = original;
    });
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ error: { code: "internal", message: expect.any(String) } });
    expect(body).not.toContain("fire");
  });
});
