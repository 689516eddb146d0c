/**
 * Plain-text sessions inside workerd, through the Worker's real router: any
 * WebSocket client (websocat) chats in lines on `/chat` (the lobby) or on a
 * room's socket with `?format=text`, side by side with JSON clients.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { join, ORIGIN, uniqueRoom } from "../workerd/socket.ts";

let addresses = 0;

/** A socket that reads lines, as websocat would. */
class LineSocket {
  readonly lines: string[] = [];
  readonly #ws: WebSocket;
  #wake: (() => void) | undefined;

  constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener("message", (event) => {
      this.lines.push(String(event.data));
      this.#wake?.();
    });
  }

  static async open(path: string): Promise<LineSocket> {
    addresses += 1;
    const response = await exports.default.fetch(`${ORIGIN}${path}`, { headers: { Upgrade: "websocket", "CF-Connecting-IP": `10.250.0.${addresses}` } });
    const ws = response.webSocket;
    if (!ws) throw new Error(`no WebSocket: HTTP ${response.status}`);
    ws.accept();
    return new LineSocket(ws);
  }

  send(line: string): void {
    this.#ws.send(line);
  }

  /** Waits for a line matching `want` (a test's own timeout bounds it). */
  async line(want: string | RegExp): Promise<string> {
    const matches = (line: string) => (typeof want === "string" ? line === want : want.test(line));
    for (;;) {
      const found = this.lines.find(matches);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  close(): void {
    this.#ws.close(1000);
  }
}

describe("a plain-text session", () => {
  it("shares a room with JSON clients: lines both ways, history first", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    alice.socket.send({ type: "message", text: "hello from the app" });
    await alice.socket.nextMessage();
    const bob = await LineSocket.open(`/api/rooms/${room}/ws?format=text&name=bob`);
    await bob.line(/^\* you are bob in .*; 2 online: alice, bob\. \/help for commands$/);
    expect(bob.lines.slice(0, 2)).toEqual(["* alice joined", "alice: hello from the app"]);
    expect(await alice.socket.nextOf("joined")).toMatchObject({ member: { name: "bob" } });

    bob.send("hi alice");
    expect(await alice.socket.nextMessage((m) => m.from.name === "bob")).toMatchObject({ text: "hi alice" });
    await bob.line("bob: hi alice");
    bob.send("/me waves");
    expect(await alice.socket.nextMessage((m) => m.text === "waves")).toMatchObject({ action: true });
    bob.send("/nick robert");
    await bob.line("* bob is now robert");
    alice.socket.send({ type: "message", text: "nice name" });
    await bob.line("alice: nice name");
    bob.send("/who");
    await bob.line("* 2 online: alice, robert");
    bob.send("/help");
    await bob.line(/^Type a line and press Enter/);
    bob.send("/kick alice");
    await bob.line(/^! unknown command \/kick/);
    bob.send("x".repeat(3000));
    await bob.line(/^! text must be at most 2000 characters/);
    bob.close();
    expect(await alice.socket.nextOf("left")).toMatchObject({ member: { name: "robert" } });
    alice.socket.close(1000);
  });

  it("names a guest guest-XXXX; a taken name is refused and the next line tries another", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const guest = await LineSocket.open(`/api/rooms/${room}/ws?format=text`);
    await guest.line(/^\* you are guest-[0-9a-f]{4} in /);
    const copy = await LineSocket.open(`/api/rooms/${room}/ws?format=text&name=ALICE`);
    await copy.line(/^! someone here is already called alice/);
    copy.send("alicia");
    await copy.line(/^\* you are alicia in /);
    for (const s of [guest, copy]) s.close();
    alice.socket.close(1000);
  });

  it("is what /chat opens: the lobby; a plain GET explains how to connect", async () => {
    const text = await LineSocket.open("/chat?name=carol");
    await text.line(/^\* you are carol in lobby; /);
    text.close();
    const page = await exports.default.fetch(`${ORIGIN}/chat`);
    expect(page.headers.get("Content-Type")).toMatch(/^text\/plain/);
    expect(await page.text()).toContain("websocat wss://parley.test/chat?name=alice");
  });
});
