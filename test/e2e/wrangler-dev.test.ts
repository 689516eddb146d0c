/**
 * The whole system as a user runs it: a real `wrangler dev`, real WebSocket
 * clients from Node, and the static client page served by Workers Static Assets.
 */
import { createServer as createHttpServer } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoomEvent } from "../../src/protocol/frames.ts";
import { join, uniqueRoom } from "../support/node.ts";
import { PortTakenError, startOnFreePort } from "../../harness/ports.ts";
import { startWranglerDev, type DevServer } from "../../harness/wranglerDev.ts";

let server: DevServer;
const isEvent = (frame: { type: string }): frame is RoomEvent => "seq" in frame;

beforeAll(async () => {
  server = await startWranglerDev();
});

afterAll(async () => {
  await server?.stop();
});

describe("wrangler dev", () => {
  it("serves the client page at / and at /r/<room>", async () => {
    for (const path of ["/", "/r/lobby", `/r/${"a".repeat(64)}`]) {
      const response = await fetch(`${server.url}${path}`, { headers: { Accept: "text/html", "Sec-Fetch-Mode": "navigate" } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get("Content-Type")).toContain("text/html");
      expect(await response.text()).toContain("<title>Parley");
    }
  });

  it("answers the API with JSON", async () => {
    expect(await (await fetch(`${server.url}/api/health`)).json()).toEqual({ ok: true });
    const created = await fetch(`${server.url}/api/rooms`, { method: "POST" });
    expect(created.status).toBe(201);
    const { room, url } = (await created.json()) as { room: string; url: string };
    expect(url).toBe(`${server.url}/r/${room}`);
    const bad = await fetch(`${server.url}/api/rooms/no%20spaces`);
    expect(bad.status).toBe(400);
  });

  it("lets two clients chat, see each other join and leave, and resume with since without loss", async () => {
    const room = uniqueRoom("e2e");
    const alice = await join(server.url, room, "alice");
    const bob = await join(server.url, room, "bob");
    expect(await alice.socket.nextOf("joined")).toMatchObject({ member: bob.welcome.self });

    alice.socket.send({ type: "message", text: "hello bob", id: "a1" });
    expect(await bob.socket.nextMessage()).toMatchObject({ text: "hello bob", from: alice.welcome.self });
    bob.socket.send({ type: "message", text: "hi alice", id: "b1" });
    const reply = await alice.socket.nextMessage((m) => m.text === "hi alice");
    const lastSeenByBob = reply.seq;
    await bob.socket.nextMessage((m) => m.id === "b1");

    // Bob drops; alice keeps talking; bob resumes with since and his session.
    bob.socket.close(4000, "network blip");
    await bob.socket.waitClosed();
    for (let i = 0; i < 3; i++) alice.socket.send({ type: "message", text: `missed ${i}`, id: `a-missed-${i}` });
    for (let i = 0; i < 3; i++) await alice.socket.nextMessage((m) => m.text === `missed ${i}`);
    const back = await join(server.url, room, "bob", { since: lastSeenByBob, session: bob.welcome.session });
    expect(back.welcome.events.map((e) => (e.type === "message" && "text" in e ? e.text : e.type))).toEqual(["missed 0", "missed 1", "missed 2"]);
    expect(back.welcome.events.map((e) => e.seq)).toEqual([lastSeenByBob + 1, lastSeenByBob + 2, lastSeenByBob + 3]);

    // Bob leaves for good: alice sees it.
    back.socket.close(1000);
    expect(await alice.socket.nextOf("left")).toMatchObject({ member: bob.welcome.self });
    const seen = alice.socket.frames.filter(isEvent).map((e) => e.type);
    expect(seen.filter((t) => t !== "message")).toEqual(["joined", "left"]);

    const info = (await (await fetch(`${server.url}/api/rooms/${room}`)).json()) as { online: number };
    expect(info.online).toBe(1);
    alice.socket.close(1000);
  });

  it("echoes on /echo", async () => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/echo`);
    const echoed = await new Promise<string>((resolve, reject) => {
      ws.addEventListener("open", () => ws.send("hello echo"));
      ws.addEventListener("message", (event) => resolve(String(event.data)));
      ws.addEventListener("error", () => reject(new Error("echo failed")));
    });
    expect(echoed).toBe("hello echo");
    ws.close(1000);
  });
});

describe("startWranglerDev", () => {
  // Parallel test files can be handed the same free port; the launcher retries
  // on wrangler's "Address already in use", so it must recognise that exit.
  it("reports a taken port as wrangler's early exit, with wrangler's reason", async () => {
    const blocker = createServer();
    await new Promise<void>((listening) => blocker.listen(0, "127.0.0.1", listening));
    const port = (blocker.address() as AddressInfo).port;
    try {
      // A fixed port is not retried: the error is what the retry looks for.
      await expect(startWranglerDev({ port })).rejects.toThrow(/exited early[\s\S]*Address already in use/);
    } finally {
      blocker.close();
    }
  });

  it("does not take another server that answers on its port for itself", async () => {
    // What a parallel test file's server would look like, had it bound the port first.
    const impostor = createHttpServer((_, response) => response.end('{"ok":true}'));
    await new Promise<void>((listening) => impostor.listen(0, "127.0.0.1", listening));
    const port = (impostor.address() as AddressInfo).port;
    try {
      await expect(startWranglerDev({ port })).rejects.toThrow(/exited early[\s\S]*Address already in use/);
    } finally {
      impostor.close();
    }
  });

  it("starts again on a fresh port after a taken one, three attempts at most, and passes other failures on", async () => {
    const ports: number[] = [];
    const takenOnce = await startOnFreePort(async (port) => {
      ports.push(port);
      if (ports.length === 1) throw new PortTakenError("taken");
      return port;
    });
    expect(ports).toHaveLength(2);
    expect(takenOnce).toBe(ports[1]);

    let attempts = 0;
    await expect(startOnFreePort(() => Promise.reject(new PortTakenError(`taken ${++attempts}`)))).rejects.toThrow("taken 3");
    expect(attempts).toBe(3);

    attempts = 0;
    await expect(startOnFreePort(() => Promise.reject(new Error(`crashed ${++attempts}`)))).rejects.toThrow("crashed 1");
    expect(attempts).toBe(1);
  });
});
