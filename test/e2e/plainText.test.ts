/**
 * Any WebSocket client can chat, against a real `wrangler dev`: a plain
 * WebSocket on `/chat` (what `websocat ws://host/chat` opens) talks in lines
 * with a JSON client in the lobby, each seeing the other.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { freePort } from "../../harness/ports.ts";
import { startWranglerDev, type DevServer } from "../../harness/wranglerDev.ts";
import { portOf, TestSocket } from "../support/testSocket.ts";

let server: DevServer | undefined;
const opened: WebSocket[] = [];

beforeAll(async () => {
  server = await startWranglerDev({ port: await freePort() });
});

afterAll(async () => {
  for (const ws of opened) ws.terminate();
  await server?.stop();
});

/** Lines a plain client reads, and a way to wait for one. */
async function openLines(path: string): Promise<{ ws: WebSocket; line: (want: RegExp) => Promise<string> }> {
  const ws = new WebSocket(`${server!.url.replace(/^http/, "ws")}${path}`);
  opened.push(ws);
  const lines: string[] = [];
  const waiting = new Set<() => void>();
  ws.on("message", (data) => {
    lines.push(String(data));
    for (const wake of waiting) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const line = async (want: RegExp) => {
    for (;;) {
      const found = lines.find((l) => want.test(l));
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiting.delete(wake);
          resolve();
        };
        waiting.add(wake);
      });
    }
  };
  return { ws, line };
}

it("a websocat-style client on /chat and an app client see each other in the lobby", async () => {
  const app = new WebSocket(`${server!.url.replace(/^http/, "ws")}/api/rooms/lobby/ws`);
  const alice = new TestSocket(portOf(app));
  await new Promise((resolve) => app.once("open", resolve));
  await alice.joinAs("alice");

  const plain = await openLines("/chat?name=tux");
  await plain.line(/^\* you are tux in lobby; /);
  expect(await alice.nextOf("joined", 15_000)).toMatchObject({ member: { name: "tux" } });
  plain.ws.send("hello from a terminal");
  expect(await alice.nextMessage((m) => m.from.name === "tux", 15_000)).toMatchObject({ text: "hello from a terminal" });
  alice.send({ type: "message", text: "hi @tux" });
  await plain.line(/^alice: hi @tux$/);
  plain.ws.close(1000);
  expect(await alice.nextOf("left", 15_000)).toMatchObject({ member: { name: "tux" } });
  alice.close(1000);
}, 120_000);
