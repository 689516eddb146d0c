/**
 * Limits per client address (CF-Connecting-IP), with wrangler.toml's
 * defaults: a script with many sockets on one address gets one address's
 * share. Each test uses addresses of its own.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { exports } from "cloudflare:workers";
import { join, openSocket, ORIGIN, uniqueRoom } from "../workerd/socket.ts";

let next = 0;
/** An address no other test uses. */
const freshAddress = () => `10.250.${Math.floor(next / 250)}.${(next++ % 250) + 1}`;

describe("per address", () => {
  it("refuses the 21st socket of one address with 429 too_many_connections before accepting it; others still connect", async () => {
    const room = uniqueRoom();
    const address = freshAddress();
    const sockets = [];
    for (let i = 0; i < 20; i++) sockets.push(await openSocket(room, { "CF-Connecting-IP": address }));
    const refused = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}/ws`, { headers: { Upgrade: "websocket", "CF-Connecting-IP": address } });
    expect(refused.status).toBe(429);
    expect(refused.webSocket).toBeNull();
    expect(await refused.json()).toMatchObject({ error: { code: "too_many_connections" } });
    expect(refused.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const someoneElse = await join(room, "bystander", { address: freshAddress() });
    expect(someoneElse.welcome.members).toHaveLength(1);
    // A closed socket frees its place.
    sockets.pop()!.close(1000);
    await expect.poll(async () => {
      const again = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}/ws`, { headers: { Upgrade: "websocket", "CF-Connecting-IP": address } });
      again.webSocket?.accept();
      again.webSocket?.close(1000);
      return again.status;
    }).toBe(101);
    for (const s of sockets) s.close(1000);
    someoneElse.socket.close(1000);
  });

  it("shares one message bucket among all the sockets of an address", async () => {
    const room = uniqueRoom();
    const address = freshAddress();
    const bots = [];
    for (let i = 0; i < 3; i++) bots.push(await join(room, `bot${i}`, { address }));
    const watcher = await join(room, "watcher", { address: freshAddress() });
    // Each socket alone may send 10 at once (RATE_BURST); the address may send 20 in all.
    for (const [i, bot] of bots.entries()) for (let n = 0; n < 10; n++) bot.socket.send({ type: "message", text: `bot${i} ${n}` });
    const answers = await Promise.all(bots.map((bot) => bot.socket.drain(300)));
    const stored = new Set(answers.flat().flatMap((f) => (f.type === "message" ? [f.seq] : []))).size;
    const refused = answers.flat().filter((f) => f.type === "error" && f.code === "rate_limited");
    // 20, or a token or two more if the bucket refilled while the 30 frames were on their way.
    expect(stored).toBeGreaterThanOrEqual(20);
    expect(stored).toBeLessThanOrEqual(22);
    expect(refused).toHaveLength(30 - stored);
    expect(refused[0]).toMatchObject({ retryAfterMs: expect.any(Number) });
    // Another address is not slowed down.
    watcher.socket.send({ type: "message", text: "unaffected" });
    expect(await watcher.socket.nextMessage((m) => m.text === "unaffected")).toBeTruthy();
    for (const p of [...bots, watcher]) p.socket.close(1000);
  });

  it("paces joins per address (each replays history): 10 at once, then rate_limited with the socket left open", async () => {
    const room = uniqueRoom();
    const address = freshAddress();
    const joined = [];
    for (let i = 0; i < 10; i++) joined.push(await join(room, `p${i}`, { address }));
    const eleventh = await openSocket(room, { "CF-Connecting-IP": address });
    eleventh.send({ type: "join", name: "p10" });
    const refusal = await eleventh.nextOf("error");
    expect(refusal).toMatchObject({ code: "rate_limited", retryAfterMs: expect.any(Number) });
    expect(refusal.retryAfterMs).toBeLessThanOrEqual(1000);
    expect(eleventh.closed).toBeUndefined();
    // After the wait, the same socket joins.
    await expect.poll(async () => {
      eleventh.send({ type: "join", name: "p10" });
      const answer = await eleventh.next((f) => f.type === "welcome" || f.type === "error");
      return answer.type;
    }, { interval: 300, timeout: 5000 }).toBe("welcome");
    for (const p of joined) p.socket.close(1000);
    eleventh.close(1000);
  });

  it("cools an address down after a flood close: its joins wait FLOOD_COOLDOWN_MS, other addresses do not", async () => {
    const room = uniqueRoom();
    const address = freshAddress();
    const flooder = await join(room, "flooder", { address });
    // Far more than FLOOD_STRIKES (30) beyond the burst, so that a slow machine refilling a token meanwhile does not matter.
    for (let i = 0; i < 150; i++) flooder.socket.send({ type: "message", text: `flood ${i}` });
    expect((await flooder.socket.waitClosed()).code).toBe(1008);
    const back = await openSocket(room, { "CF-Connecting-IP": address });
    back.send({ type: "join", name: "flooder" });
    const refusal = await back.nextOf("error");
    expect(refusal.code).toBe("rate_limited");
    expect(refusal.retryAfterMs).toBeGreaterThan(25_000);
    const other = await join(room, "someone", { address: freshAddress() });
    expect(other.welcome.self.name).toBe("someone");
    back.close(1000);
    other.socket.close(1000);
  });
});

describe("the room's refusal log line", () => {
  afterEach(() => vi.restoreAllMocks());

  it("names a private room by 8 characters of its id, and never the client address", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    const created = (await (await exports.default.fetch(`${ORIGIN}/api/rooms`, { method: "POST", headers: { "CF-Connecting-IP": freshAddress() } })).json()) as { room: string };
    const room = created.room;
    const address = freshAddress();
    const sockets = [];
    for (let i = 0; i < 20; i++) sockets.push(await openSocket(room, { "CF-Connecting-IP": address }));
    const refused = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}/ws`, { headers: { Upgrade: "websocket", "CF-Connecting-IP": address } });
    expect(refused.status).toBe(429);
    await refused.body?.cancel();
    const line = lines.find((l) => l.includes("too_many_connections"));
    expect(line).toContain(`private:${room.slice(0, 8)}`);
    const output = lines.join("\n");
    expect(output).not.toContain(room.slice(0, 9));
    expect(output).not.toContain(address);
    for (const s of sockets) s.close(1000);
  });
});
