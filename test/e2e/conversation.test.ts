/**
 * Replies, reactions and search against a real `wrangler dev`, through real
 * sockets: two members answer and react to each other and search the room;
 * then the server is killed and restarted on the same state, and a newcomer
 * sees the same conversation (quotes, counts, edits, deletions) and finds
 * the same messages.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import type { SpokenMessage } from "../../src/protocol/frames.ts";
import { freePort } from "../../harness/ports.ts";
import { startWranglerDev, type DevServer } from "../../harness/wranglerDev.ts";
import { portOf, TestSocket, uniqueRoom } from "../support/testSocket.ts";

const persistDir = mkdtempSync(join(tmpdir(), "parley-conversation-"));
let server: DevServer | undefined;
let port = 0;
const sockets: TestSocket[] = [];
const WAIT = 15_000;

beforeAll(async () => {
  port = await freePort();
  server = await startWranglerDev({ port, persistDir });
});

afterAll(async () => {
  for (const socket of sockets) socket.close(1000);
  await server?.stop();
  rmSync(persistDir, { recursive: true, force: true });
});

function open(room: string): Promise<TestSocket> {
  const ws = new WebSocket(`${server!.url.replace(/^http/, "ws")}/api/rooms/${room}/ws`);
  const socket = new TestSocket(portOf(ws));
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(socket));
    ws.once("error", reject);
  });
}

it("two members reply, react and search; after a restart a newcomer sees the same conversation", async () => {
  const room = uniqueRoom("conversation");
  const ann = await open(room);
  await ann.joinAs("ann");
  const ben = await open(room);
  await ben.joinAs("ben");

  ann.send({ type: "message", text: "Shall we ship the release on Friday?", id: "q-1" });
  const question = await ben.nextMessage((m) => m.id === "q-1", WAIT);
  ben.send({ type: "message", text: "Yes, Friday works for me", id: "r-1", replyTo: question.seq });
  const reply = await ann.nextMessage((m) => m.id === "r-1", WAIT);
  expect(reply.replyTo).toEqual({ seq: question.seq, from: question.from, snippet: "Shall we ship the release on Friday?" });

  // Both react with the same emoji, then ben takes his back and adds another.
  ann.send({ type: "react", seq: reply.seq, emoji: "👍", on: true });
  await ben.next((f) => f.type === "reactions" && f.counts["👍"] === 1, WAIT);
  ben.send({ type: "react", seq: reply.seq, emoji: "👍", on: true });
  await ann.next((f) => f.type === "reactions" && f.counts["👍"] === 2, WAIT);
  ben.send({ type: "react", seq: reply.seq, emoji: "👍", on: false });
  ben.send({ type: "react", seq: reply.seq, emoji: "🎉", on: true });
  const last = await ann.next((f) => f.type === "reactions" && f.emoji === "🎉", WAIT);
  expect(last).toMatchObject({ target: reply.seq, counts: { "👍": 1, "🎉": 1 }, by: { name: "ben" }, on: true });

  // The question is edited: the reply's quote follows.
  ann.send({ type: "edit", seq: question.seq, text: "Shall we ship the release on Monday?" });
  await ben.nextOf("edited", WAIT);

  // Search finds by words, not by syntax.
  ben.send({ type: "search", q: "friday" });
  const found = await ben.nextOf("search", WAIT);
  expect(found.results.map((r) => r.seq)).toEqual([reply.seq]);
  ben.send({ type: "search", q: 'monday" OR "friday' });
  expect((await ben.nextOf("search", WAIT)).results).toEqual([]);

  // The server dies without warning and comes back on the same state.
  await server!.kill();
  server = await startWranglerDev({ port, persistDir });

  const cat = await open(room);
  const welcome = await cat.joinAs("cat");
  const shown = welcome.events.filter((e): e is SpokenMessage => e.type === "message" && "text" in e);
  expect(shown.find((m) => m.seq === question.seq)).toMatchObject({ text: "Shall we ship the release on Monday?", edited: expect.any(Number) });
  expect(shown.find((m) => m.seq === reply.seq)).toMatchObject({
    replyTo: { seq: question.seq, snippet: "Shall we ship the release on Monday?", edited: true },
    reactions: { "👍": 1, "🎉": 1 },
  });
  cat.send({ type: "search", q: "MONDAY" });
  expect((await cat.nextOf("search", WAIT)).results.map((r) => r.seq)).toEqual([question.seq]);
}, 180_000);
