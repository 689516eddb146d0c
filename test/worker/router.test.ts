import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { HttpErrorBody } from "../../src/protocol/http.ts";
import { join, ORIGIN, uniqueRoom } from "../workerd/socket.ts";

const request = (path: string, init?: RequestInit) => exports.default.fetch(`${ORIGIN}${path}`, init);

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toContain("application/json");
  const body = (await response.json()) as HttpErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  // No stack traces or internals in what the client sees.
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+|Error:/);
}

describe("HTTP API", () => {
  it("answers health", async () => {
    const response = await request("/api/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("creates private rooms with an unguessable id and a link", async () => {
    const response = await request("/api/rooms", { method: "POST" });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { room: string; url: string };
    expect(body.room).toMatch(/^[0-9a-f]{64}$/);
    expect(body.url).toBe(`${ORIGIN}/r/${body.room}`);
    const again = (await (await request("/api/rooms", { method: "POST" })).json()) as { room: string };
    expect(again.room).not.toBe(body.room);

    const info = await request(`/api/rooms/${body.room}`);
    expect(await info.json()).toEqual({ room: body.room, private: true, online: 0, members: [], crowd: false, lastSeq: 0 });
  });

  it("identifies a public room and who is in it, case-folding the name", async () => {
    const room = uniqueRoom("Info");
    const { socket, welcome } = await join(room.toLowerCase(), "alice");
    const response = await request(`/api/rooms/${room.toUpperCase()}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      room: room.toLowerCase(),
      private: false,
      online: 1,
      members: [welcome.self],
      crowd: false,
      lastSeq: 1,
    });
    socket.close(1000);
  });

  it("refuses invalid room names with 400 before any upgrade", async () => {
    for (const bad of ["has%20space", "x".repeat(65), "dots.not.allowed", "%C3%BC"]) {
      await expectError(await request(`/api/rooms/${bad}`), 400, "invalid_room");
      await expectError(await request(`/api/rooms/${bad}/ws`, { headers: { Upgrade: "websocket" } }), 400, "invalid_room");
    }
  });

  it("refuses a 64-hex id this namespace never minted with 404", async () => {
    await expectError(await request(`/api/rooms/${"0".repeat(64)}`), 404, "room_not_found");
    await expectError(await request(`/api/rooms/${"f".repeat(64)}/ws`, { headers: { Upgrade: "websocket" } }), 404, "room_not_found");
  });

  it("asks for an upgrade with 426 on the WebSocket endpoints", async () => {
    const response = await request("/api/rooms/lobby/ws");
    await expectError(response, 426, "upgrade_required");
    expect(response.headers.get("Upgrade")).toBe("websocket");
    await expectError(await request("/echo"), 426, "upgrade_required");
  });

  it("answers 405 for the wrong method and 404 for unknown API paths", async () => {
    const get = await request("/api/rooms");
    await expectError(get, 405, "method_not_allowed");
    expect(get.headers.get("Allow")).toBe("POST");
    await expectError(await request("/api/rooms/lobby", { method: "DELETE" }), 405, "method_not_allowed");
    await expectError(await request("/api/nothing-here"), 404, "not_found");
    await expectError(await request("/api/rooms/lobby/ws/extra"), 404, "not_found");
  });

  it("refuses WebSocket upgrades from a foreign Origin with 403, allows its own", async () => {
    await expectError(
      await request("/api/rooms/lobby/ws", { headers: { Upgrade: "websocket", Origin: "https://evil.example" } }),
      403,
      "origin_forbidden",
    );
    const same = await request("/api/rooms/lobby/ws", { headers: { Upgrade: "websocket", Origin: ORIGIN } });
    expect(same.status).toBe(101);
    same.webSocket?.accept();
    same.webSocket?.close(1000);
  });
});

describe("/echo", () => {
  it("echoes text and binary frames", async () => {
    const response = await request("/echo", { headers: { Upgrade: "websocket" } });
    expect(response.status).toBe(101);
    const ws = response.webSocket!;
    ws.accept();
    ws.binaryType = "arraybuffer";
    const received: (string | ArrayBuffer)[] = [];
    const done = new Promise<void>((resolve) =>
      ws.addEventListener("message", (event) => {
        received.push(event.data);
        if (received.length === 2) resolve();
      }),
    );
    ws.send("hello");
    ws.send(new Uint8Array([1, 2, 3]).buffer);
    await done;
    expect(received[0]).toBe("hello");
    expect([...new Uint8Array(received[1] as ArrayBuffer)]).toEqual([1, 2, 3]);
    ws.close(1000);
  });
});

describe("the stats endpoint", () => {
  it("does not exist unless EXPOSE_STATS is set", async () => {
    await expectError(await request("/api/rooms/lobby/stats"), 404, "not_found");
  });
});
