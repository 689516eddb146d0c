/**
 * Owner keys and the room-creation limit against a real `wrangler dev`: the
 * creation limiter's Durable Object (migration v2) runs there, the client
 * address is the TCP peer's unless the client sends CF-Connecting-IP, and the
 * operator's ADMIN_KEY arrives as a secret.
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCreatedRoom, decodeHttpError } from "../../src/protocol/http.ts";
import { openSocket } from "../support/node.ts";
import { startWranglerDev, type DevServer } from "../../harness/wranglerDev.ts";

const ADMIN_KEY = "e2e-admin-key-not-a-real-one";
let server: DevServer;

beforeAll(async () => {
  // wrangler.toml's limits (burst 5, then 1 a minute), not the test servers' generous ones.
  server = await startWranglerDev({ realAddressLimits: true, vars: { ADMIN_KEY } });
});

afterAll(async () => {
  await server?.stop();
});

/** `POST path` from a given local address (the TCP source the Worker sees), with optional headers. */
function postFrom(localAddress: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: unknown }>((resolve, reject) => {
    const request = httpRequest(`${server.url}${path}`, { method: "POST", localAddress, headers }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) }));
    });
    request.on("error", reject);
    request.end();
  });
}

async function welcomeSelf(room: string, ownerKey: string) {
  const socket = await openSocket(server.url, room);
  socket.send({ type: "join", name: "someone", ownerKey });
  const welcome = await socket.nextOf("welcome");
  socket.close(1000);
  return welcome.self;
}

describe("owners and creation limits under wrangler dev", () => {
  it("limits room creation per client address: 5, then 429 with Retry-After; another address still gets 201", async () => {
    const created = [];
    for (let i = 0; i < 5; i++) {
      const answer = await postFrom("127.0.0.1", "/api/rooms");
      expect(answer.status).toBe(201);
      created.push(decodeCreatedRoom(answer.body));
    }
    const refused = await postFrom("127.0.0.1", "/api/rooms");
    expect(refused.status).toBe(429);
    expect(decodeHttpError(refused.body)?.code).toBe("too_many_requests");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(refused.headers["x-content-type-options"]).toBe("nosniff");

    // Another TCP source is another address…
    expect((await postFrom("127.0.0.2", "/api/rooms")).status).toBe(201);
    // …and so is one the client names itself (Cloudflare's edge overwrites the header in production).
    expect((await postFrom("127.0.0.1", "/api/rooms", { "CF-Connecting-IP": "203.0.113.7" })).status).toBe(201);

    // The creator's key makes a real socket the room's owner.
    const first = created[0]!;
    expect(await welcomeSelf(first.room, first.ownerKey)).toMatchObject({ role: "owner" });
  });

  it("takes the operator's ADMIN_KEY as every room's owner key", async () => {
    expect(await welcomeSelf("e2e-admin-room", ADMIN_KEY)).toMatchObject({ role: "owner" });
  });
});
