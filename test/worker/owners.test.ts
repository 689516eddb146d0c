/**
 * Owner keys from the HTTP API (creating a private room, claiming a public
 * one), the per-address limit on both, and what the API's answers and logs
 * may carry.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { decodeClaimedRoom, decodeCreatedRoom, decodeHttpError, type HttpErrorBody } from "../../src/protocol/http.ts";
import { creationLimiter } from "../../src/worker/creationLimiter.ts";
import { openSocket, ORIGIN, uniqueRoom } from "../workerd/socket.ts";

/** Joins `room` sending `ownerKey` in the join frame (the only place it may travel); resolves with the welcome's self. */
async function joinWithKey(room: string, name: string, ownerKey: string) {
  const socket = await openSocket(room);
  socket.send({ type: "join", name, ownerKey });
  const welcome = await socket.nextOf("welcome");
  socket.close(1000);
  return welcome.self;
}

let addresses = 0;
/** A client address of its own for each test: the limit is per address. */
const freshAddress = () => {
  addresses += 1;
  return `198.18.${Math.floor(Math.random() * 200)}.${addresses}`;
};

const post = (path: string, address: string, headers: Record<string, string> = {}) =>
  exports.default.fetch(`${ORIGIN}${path}`, { method: "POST", headers: { "CF-Connecting-IP": address, ...headers } });

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as HttpErrorBody;
  expect(body.error.code).toBe(code);
}

const OWNER_KEY = /^[A-Za-z0-9_-]{43}$/;

describe("owner keys", () => {
  it("creates a private room owned by its creator: 201 with a fresh 43-character owner key", async () => {
    const address = freshAddress();
    const response = await post("/api/rooms", address);
    expect(response.status).toBe(201);
    const created = decodeCreatedRoom(await response.json());
    expect(created?.ownerKey).toMatch(OWNER_KEY);
    expect(created?.url).toBe(`${ORIGIN}/r/${created?.room}`);
    // The room holds the key already: nobody else can make it theirs.
    const stub = env.ROOMS.get(env.ROOMS.idFromString(created!.room));
    expect(await stub.claim("someone-else-entirely")).toBe(false);

    const again = decodeCreatedRoom(await (await post("/api/rooms", address)).json());
    expect(again?.ownerKey).not.toBe(created?.ownerKey);

    expect(await joinWithKey(created!.room, "creator", created!.ownerKey)).toMatchObject({ name: "creator", role: "owner" });
    // One room's key is not another's.
    expect((await joinWithKey(again!.room, "stranger", created!.ownerKey)).role).not.toBe("owner");
    expect(await joinWithKey(again!.room, "operator", env.ADMIN_KEY)).toMatchObject({ role: "owner" });
  });

  it("lets a public room be claimed once: 201, then 409 room_claimed", async () => {
    const room = uniqueRoom("Claim");
    const response = await post(`/api/rooms/${room.toUpperCase()}/claim`, freshAddress());
    expect(response.status).toBe(201);
    const claimed = decodeClaimedRoom(await response.json());
    expect(claimed).toEqual({ room: room.toLowerCase(), ownerKey: expect.stringMatching(OWNER_KEY) });

    expect(await joinWithKey(room, "claimer", claimed!.ownerKey)).toMatchObject({ role: "owner" });

    const second = await post(`/api/rooms/${room}/claim`, freshAddress());
    await expectError(second, 409, "room_claimed");
    expect(JSON.stringify(await post(`/api/rooms/${room}/claim`, freshAddress()).then((r) => r.json()))).not.toContain(claimed!.ownerKey);
  });

  it("refuses to claim a private room (400: owned from creation) and a malformed name", async () => {
    const address = freshAddress();
    const created = decodeCreatedRoom(await (await post("/api/rooms", address)).json());
    await expectError(await post(`/api/rooms/${created!.room}/claim`, address), 400, "invalid_room");
    // An id this namespace never minted gets the same answer: nothing is said about which ids exist.
    await expectError(await post(`/api/rooms/${"a".repeat(64)}/claim`, address), 400, "invalid_room");
    await expectError(await post("/api/rooms/no%20spaces/claim", address), 400, "invalid_room");
    const get = await exports.default.fetch(`${ORIGIN}/api/rooms/lobby/claim`);
    await expectError(get, 405, "method_not_allowed");
    expect(get.headers.get("Allow")).toBe("POST");
  });
});

describe("room creation limit per address", () => {
  it("allows a burst of 5, then answers 429 too_many_requests with Retry-After; another address is unaffected", async () => {
    const address = freshAddress();
    for (let i = 0; i < 5; i++) expect((await post("/api/rooms", address)).status).toBe(201);
    const refused = await post("/api/rooms", address);
    await expectError(refused, 429, "too_many_requests");
    const retryAfter = Number(refused.headers.get("Retry-After"));
    // One a minute after the burst: the next creation is at most a minute away.
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    expect((await post("/api/rooms", freshAddress())).status).toBe(201);
    // The sender's own header decides the address under wrangler dev and here; the edge sets it in production.
    expect((await post("/api/rooms", address)).status).toBe(429);
  });

  it("counts claims and creations in one bucket", async () => {
    const address = freshAddress();
    for (let i = 0; i < 3; i++) expect((await post(`/api/rooms/${uniqueRoom("Burst")}/claim`, address)).status).toBe(201);
    // A claim that finds an owner is an attempt too: probing rooms for an owner is not free.
    const taken = uniqueRoom("Taken");
    expect((await post(`/api/rooms/${taken}/claim`, freshAddress())).status).toBe(201);
    expect((await post(`/api/rooms/${taken}/claim`, address)).status).toBe(409);
    expect((await post("/api/rooms", address)).status).toBe(201);
    await expectError(await post(`/api/rooms/${uniqueRoom("Late")}/claim`, address), 429, "too_many_requests");
    await expectError(await post("/api/rooms", address), 429, "too_many_requests");
  });

  it("counts an IPv6 client's whole /64 as one address", async () => {
    const prefix = `2001:db8:${(addresses += 1).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;
    for (let i = 1; i <= 5; i++) expect((await post("/api/rooms", `${prefix}::${i}`)).status).toBe(201);
    await expectError(await post("/api/rooms", `${prefix}:0:0:0:ffff`), 429, "too_many_requests");
  });
});

describe("API answers", () => {
  it("carry X-Content-Type-Options: nosniff, refusals included", async () => {
    const address = freshAddress();
    const answers = [
      await exports.default.fetch(`${ORIGIN}/api/health`),
      await post("/api/rooms", address),
      await exports.default.fetch(`${ORIGIN}/api/rooms/lobby`),
      await exports.default.fetch(`${ORIGIN}/api/nothing-here`),
      await exports.default.fetch(`${ORIGIN}/api/rooms/lobby/ws`),
      await exports.default.fetch(`${ORIGIN}/api/rooms/lobby/ws`, { headers: { Upgrade: "websocket", Origin: "https://evil.example" } }),
      await post(`/api/rooms/${"b".repeat(64)}/claim`, address),
    ];
    for (const response of answers) {
      expect(response.headers.get("X-Content-Type-Options"), `${response.status}`).toBe("nosniff");
      await response.body?.cancel();
    }
  });
});

describe("logs", () => {
  afterEach(() => vi.restoreAllMocks());

  /** Everything written to the console while `run` runs. */
  async function captureLogs(run: () => Promise<void>): Promise<string> {
    const lines: string[] = [];
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    }
    await run();
    return lines.join("\n");
  }

  it("show a private room's id cut to 8 characters and never carry an owner key or ADMIN_KEY", async () => {
    const address = freshAddress();
    let room = "";
    const keys: string[] = [];
    const output = await captureLogs(async () => {
      const created = decodeCreatedRoom(await (await post("/api/rooms", address)).json())!;
      room = created.room;
      keys.push(created.ownerKey);
      const publicRoom = uniqueRoom("Logs");
      keys.push(decodeClaimedRoom(await (await post(`/api/rooms/${publicRoom}/claim`, address)).json())!.ownerKey);
      await (await post(`/api/rooms/${publicRoom}/claim`, address)).body?.cancel();
      await (await post(`/api/rooms/${room}/claim`, address)).body?.cancel();
      const refused = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}/ws`, {
        headers: { Upgrade: "websocket", Origin: "https://evil.example" },
      });
      expect(decodeHttpError(await refused.json())?.code).toBe("origin_forbidden");
      // Percent-encoded, the id is still an id.
      const encoded = [...room].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("");
      await (await exports.default.fetch(`${ORIGIN}/api/rooms/${encoded}/nope`)).body?.cancel();
    });
    expect(output).toContain(`private:${room.slice(0, 8)}`);
    expect(output).toContain('"event":"refused"');
    expect(output).not.toContain(room.slice(0, 9));
    for (const key of keys) expect(output).not.toContain(key);
    // vitest.config.ts gives the workerd projects a test ADMIN_KEY.
    expect(env.ADMIN_KEY.length).toBeGreaterThan(8);
    expect(output).not.toContain(env.ADMIN_KEY);
  });
});

describe("creation limiter storage", () => {
  it("keeps one number per address while its bucket refills, and erases it once full again", async () => {
    const address = freshAddress();
    expect((await post("/api/rooms", address)).status).toBe(201);
    const limiter = creationLimiter(env, address);
    const stored = await runInDurableObject(limiter, (_, state) => [...state.storage.kv.list()]);
    // No address in storage: the object's name is a keyed hash of it, its storage one number.
    expect(stored.map(([key]) => key)).toEqual(["tat"]);
    expect(JSON.stringify(stored)).not.toContain(address);
    expect(await runDurableObjectAlarm(limiter)).toBe(true);
    expect(await runInDurableObject(limiter, (_, state) => [...state.storage.kv.list()])).toEqual([]);
  });
});
