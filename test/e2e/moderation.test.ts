/**
 * Moderation against a real `wrangler dev` with its real limits per address:
 * an owner and two members through real sockets, each from its own client
 * address (CF-Connecting-IP, which wrangler dev takes from the client); a
 * delete, a kick and a ban; then a SIGKILL and a restart on the same state,
 * after which the deleted text is still gone and the ban still holds.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { CLOSE_CODES, type ServerFrame } from "../../src/protocol/frames.ts";
import { freePort } from "../../harness/ports.ts";
import { startWranglerDev, type DevServer } from "../../harness/wranglerDev.ts";
import { portOf, TestSocket, uniqueRoom } from "../support/testSocket.ts";

const ADMIN_KEY = "e2e-moderation-admin-key-not-real";
const SECRET = "my locker code is 4711-secret";
const persistDir = mkdtempSync(join(tmpdir(), "parley-moderation-"));
const vars = { ADMIN_KEY };
let server: DevServer | undefined;
let port = 0;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  port = await freePort();
  server = await startWranglerDev({ port, persistDir, vars, realAddressLimits: true });
});

afterAll(async () => {
  for (const socket of sockets) socket.close(1000);
  await server?.stop();
  rmSync(persistDir, { recursive: true, force: true });
});

/** A socket to `room` from client address `address`, as wrangler dev lets a client name its own. */
function openFrom(address: string, room: string): Promise<TestSocket> {
  const ws = new WebSocket(`${server!.url.replace(/^http/, "ws")}/api/rooms/${room}/ws`, { headers: { "CF-Connecting-IP": address } });
  const socket = new TestSocket(portOf(ws));
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(socket));
    ws.once("unexpected-response", (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
    ws.once("error", reject);
  });
}

/** The HTTP status an upgrade from `address` gets when it is refused (0 when it is accepted). */
function refusedStatus(address: string, room: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server!.url.replace(/^http/, "ws")}/api/rooms/${room}/ws`, { headers: { "CF-Connecting-IP": address } });
    ws.once("open", () => {
      ws.close(1000);
      resolve(0);
    });
    ws.once("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? -1);
      response.resume();
      ws.terminate();
    });
    ws.once("error", reject);
  });
}

const holdsSecret = (frames: ServerFrame[]) => JSON.stringify(frames).includes(SECRET);

it("an owner deletes, kicks and bans; after a restart the text is still gone and the ban still holds", async () => {
  const room = uniqueRoom("moderation");

  const owner = await openFrom("198.51.100.1", room);
  await owner.joinAs("olivia", { ownerKey: ADMIN_KEY });
  const bob = await openFrom("198.51.100.2", room);
  const bobWelcome = await bob.joinAs("bob");
  const carol = await openFrom("198.51.100.3", room);
  const carolWelcome = await carol.joinAs("carol");

  // A delete reaches everyone and takes the text with it.
  bob.send({ type: "message", text: SECRET, id: "m-1" });
  const said = await owner.nextMessage((m) => m.text === SECRET);
  owner.send({ type: "delete", seq: said.seq });
  for (const socket of [owner, bob, carol]) {
    expect(await socket.nextOf("deleted")).toMatchObject({ target: said.seq, by: { name: "olivia", role: "owner" } });
  }

  // A kick closes with 4003; the member may come back.
  owner.send({ type: "kick", member: carolWelcome.self.id, reason: "cool off" });
  expect(await carol.waitClosed(10_000)).toMatchObject({ code: CLOSE_CODES.kicked });
  expect(await owner.nextOf("kicked")).toMatchObject({ member: { name: "carol" }, reason: "cool off" });
  const carolBack = await openFrom("198.51.100.3", room);
  await carolBack.joinAs("carol");

  // A ban closes with 4004 and refuses the session, a new session and the address.
  owner.send({ type: "ban", member: bobWelcome.self.id, reason: "spam" });
  expect(await bob.waitClosed(10_000)).toMatchObject({ code: CLOSE_CODES.banned });
  const bobAgain = await openFrom("198.51.100.2", room);
  bobAgain.send({ type: "join", name: "bob", session: bobWelcome.session });
  expect(await bobAgain.nextOf("error")).toMatchObject({ code: "banned" });
  const bobNew = await openFrom("198.51.100.2", room);
  bobNew.send({ type: "join", name: "robert" });
  expect(await bobNew.nextOf("error")).toMatchObject({ code: "banned" });

  // The server dies without warning and comes back on the same state.
  await server!.kill();
  server = await startWranglerDev({ port, persistDir, vars, realAddressLimits: true });

  const reader = await openFrom("198.51.100.4", room);
  const replay = await reader.joinAs("reader", { since: 0 });
  const deleted = replay.events.find((e) => e.seq === said.seq);
  expect(deleted).toMatchObject({ type: "message", deleted: true, from: { name: "bob" } });
  expect(deleted).not.toHaveProperty("text");
  reader.send({ type: "history", before: replay.lastSeq + 1, limit: 100 });
  await reader.nextOf("history");
  expect(holdsSecret(reader.frames)).toBe(false);

  const bobAfter = await openFrom("198.51.100.2", room);
  bobAfter.send({ type: "join", name: "bob" });
  expect(await bobAfter.nextOf("error")).toMatchObject({ code: "banned" });
}, 180_000);

it("gives one client address at most ADDRESS_MAX_SOCKETS (20) sockets in a room; the next gets 429, another address gets in", async () => {
  const room = uniqueRoom("sockets");
  for (let i = 0; i < 20; i++) await openFrom("198.51.100.9", room);
  expect(await refusedStatus("198.51.100.9", room)).toBe(429);
  expect(await refusedStatus("198.51.100.10", room)).toBe(0);
}, 60_000);
