/**
 * The browser client when connections fail, against a real `wrangler dev`
 * with the default limits: a killed socket, going offline and back, a reload,
 * the room refusing a message or a name, and a burst typed faster than the rate limit. After each, the
 * transcript must hold every event exactly once, in order.
 */
import type { Page, WebSocketRoute } from "playwright-core";
import { describe, expect, it } from "vitest";
import { uniqueRoom } from "../support/node.ts";
import {
  browserSuite,
  enterRoom,
  EXPECTED_OFFLINE,
  expectGapFree,
  pickFromMenu,
  say,
  shownMessages,
  until,
  waitLive,
  waitShown,
  type Person,
  type PersonOptions,
} from "./support/browser.ts";

const suite = browserSuite();
const person = suite.person;

/** Keeps every WebSocket the page opens reachable, so a test can kill one, and records the connection states shown. */
const SOCKET_SPY = `
  window.__sockets = [];
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url, protocols) { super(url, protocols); window.__sockets.push(this); }
  };
  window.__states = [];
  new MutationObserver((changes) => {
    for (const change of changes) if (change.target.classList.contains("status")) window.__states.push(change.target.dataset.state);
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
`;

function killSocket(page: Page): Promise<void> {
  // 4000: a drop, not a goodbye; the room holds the member for a quiet reconnect.
  return page.evaluate("window.__sockets.at(-1).close(4000, 'test: connection killed')");
}

function statesShown(page: Page): Promise<string[]> {
  return page.evaluate("window.__states");
}

async function texts(page: Page): Promise<string[]> {
  return shownMessages(page);
}

function exactlyOnce(list: readonly string[], text: string): boolean {
  return list.filter((t) => t === text).length === 1;
}

describe("reconnecting", () => {
  it("comes back by itself after the socket is killed, repeating and losing nothing", async () => {
    const room = uniqueRoom("kill");
    const alice = await person({ name: "alice" });
    await alice.context.addInitScript(SOCKET_SPY);
    const bob = await person({ name: "bob" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    const a = alice.page;

    const sent: string[] = [];
    const bobSays = async (text: string) => {
      sent.push(text);
      await say(bob.page, text);
    };
    await bobSays("before 1");
    await bobSays("before 2");
    await waitShown(a, "before 2");

    await killSocket(a);
    await say(a, "from alice during the drop"); // pending until the reconnect
    await bobSays("during 1");
    await bobSays("during 2");
    await waitLive(a);
    await killSocket(a); // and once more, right away
    await bobSays("during 3");
    await waitLive(a);
    await bobSays("after 1");
    await waitShown(a, "after 1");
    await waitShown(bob.page, "from alice during the drop");

    expect(await statesShown(a)).toEqual(expect.arrayContaining(["reconnecting", "live"]));
    const shown = await texts(a);
    expect(shown.filter((t) => sent.includes(t))).toEqual(sent);
    expect(exactlyOnce(shown, "from alice during the drop")).toBe(true);
    expect(exactlyOnce(await texts(bob.page), "from alice during the drop")).toBe(true);
    await expectGapFree(a);
    await expectGapFree(bob.page);
    await expect(a.locator("li.pending").count()).resolves.toBe(0);
    // Quiet: bob never saw alice leave and come back.
    await expect(bob.page.locator("li.presence", { hasText: "alice" }).count()).resolves.toBe(1);
  });

  it("shows offline, keeps a message typed offline as pending, and delivers it once when back", async () => {
    const room = uniqueRoom("offline");
    const alice = await person({ name: "alice" });
    alice.expected.push(EXPECTED_OFFLINE);
    const bob = await person({ name: "bob" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    const a = alice.page;
    await say(bob.page, "hello before");
    await waitShown(a, "hello before");

    await alice.context.setOffline(true);
    await a.locator('.status[data-state="offline"]', { hasText: "Offline" }).waitFor();
    await say(a, "written offline");
    const pending = a.locator("li.pending", { hasText: "written offline" });
    await pending.locator(".pending-status", { hasText: "Waiting for connection" }).waitFor();
    for (const text of ["while away 1", "while away 2", "while away 3"]) await say(bob.page, text);
    await waitShown(bob.page, "while away 3");

    await alice.context.setOffline(false);
    await waitLive(a);
    await pending.waitFor({ state: "detached" });
    await waitShown(bob.page, "written offline");
    await waitShown(a, "while away 3");

    const aliceTexts = await texts(a);
    expect(aliceTexts).toEqual(["hello before", "while away 1", "while away 2", "while away 3", "written offline"]);
    expect(exactlyOnce(await texts(bob.page), "written offline")).toBe(true);
    await expectGapFree(a);
    await expectGapFree(bob.page);
  });

  it("rejoins quietly as the same person after a reload, showing the newest messages", async () => {
    const room = uniqueRoom("reload");
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    const a = alice.page;
    await say(bob.page, "before the reload");
    await waitShown(a, "before the reload");
    const selfId = await a.locator(".member-list li", { hasText: "(you)" }).getAttribute("data-member-id");

    await a.reload();
    await waitLive(a);
    await waitShown(a, "before the reload");
    await expect(a.locator(".member-list li", { hasText: "(you)" }).getAttribute("data-member-id")).resolves.toBe(selfId);
    await say(a, "after the reload");
    await waitShown(bob.page, "after the reload");
    // Bob saw no leave and no second join.
    await expect(bob.page.locator("li.presence", { hasText: "alice" }).count()).resolves.toBe(1);
    await expect(bob.page.locator(".member-list li").count()).resolves.toBe(2);
    await expectGapFree(a);
  });

  // Two tabs of one browser share the session and are one member: see moderation.test.ts ("one browser").
});

describe("what the room says on a resume", () => {
  it("says when older messages are gone, and starts afresh when the room was reset", async () => {
    const room = uniqueRoom("resume");
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    // The room only truncates or resets after thousands of events or a wipe; the route marks the welcomes instead.
    const connections: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
    let welcomes = 0;
    await alice.page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
      const server = ws.connectToServer();
      connections.push({ page: ws, server });
      server.onMessage((data) => {
        const text = String(data);
        if (!text.startsWith('{"type":"welcome"')) return ws.send(text);
        welcomes += 1;
        const welcome = JSON.parse(text) as { events: { seq: number }[]; lastSeq: number; truncated?: true; oldestSeq?: number; reset?: true };
        if (welcomes === 2) Object.assign(welcome, { truncated: true, oldestSeq: welcome.events[0]?.seq ?? welcome.lastSeq + 1 });
        if (welcomes === 3) welcome.reset = true;
        ws.send(JSON.stringify(welcome));
      });
    });
    const drop = async () => {
      const { page, server } = connections.at(-1)!;
      await server.close({ code: 4000, reason: "test: drop" });
      await page.close({ code: 4000, reason: "test: drop" });
    };
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    const a = alice.page;
    await say(bob.page, "first");
    await waitShown(a, "first");

    await drop();
    await a.locator("li.notice", { hasText: "Some older messages are no longer available." }).waitFor();
    await waitLive(a);
    await say(bob.page, "second");
    await waitShown(a, "second");
    expect(await texts(a)).toEqual(["first", "second"]);

    await drop();
    await a.locator("li.notice", { hasText: "history was reset" }).waitFor();
    await waitLive(a);
    await say(bob.page, "third");
    await waitShown(a, "third");
    // What it held before the reset is gone; what came after shows.
    expect(await texts(a)).toEqual(["third"]);
  });
});

describe("refusals", () => {
  it("marks a message the room refused on the message itself, with Edit and Dismiss", async () => {
    const room = uniqueRoom("refused");
    const alice = await person({ name: "alice" });
    // Stands in for a room that refuses one message (the app's own checks stop anything really invalid).
    await alice.page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
      const upstream = ws.connectToServer();
      ws.onMessage((data) => {
        const frame = JSON.parse(String(data)) as { type?: string; text?: string; id?: string };
        if (frame.type === "message" && frame.text?.includes("REFUSE ME")) {
          ws.send(JSON.stringify({ type: "error", code: "text_too_long", message: "text must be at most 2000 characters", ref: frame.id }));
        } else {
          upstream.send(data);
        }
      });
    });
    await enterRoom(alice, room);
    const a = alice.page;
    await say(a, "please REFUSE ME");
    const failed = a.locator("li.pending.failed", { hasText: "please REFUSE ME" });
    await failed.getByText("Not sent: too long (at most 2000 characters).").waitFor();
    await say(a, "this one is fine");
    await a.locator("li.msg:not(.pending) .text", { hasText: "this one is fine" }).waitFor();
    await failed.getByRole("button", { name: "Edit" }).click();
    await failed.waitFor({ state: "detached" });
    await expect(a.getByRole("textbox", { name: /^Message/ }).inputValue()).resolves.toBe("please REFUSE ME");
    expect(await texts(a)).toEqual(["this one is fine"]);

    await say(a, "REFUSE ME again");
    const again = a.locator("li.pending.failed", { hasText: "REFUSE ME again" });
    await again.getByRole("button", { name: "Dismiss" }).click();
    await again.waitFor({ state: "detached" });

    // A refused reply comes back to the message box as a reply: the bar names what it answers.
    await a.getByRole("textbox", { name: /^Message/ }).fill("");
    await pickFromMenu(a, a.locator("li.msg:not(.pending)", { hasText: "this one is fine" }).getByRole("button", { name: /^Actions for the message/ }), "Reply");
    await say(a, "REFUSE ME as a reply");
    const reply = a.locator("li.pending.failed", { hasText: "REFUSE ME as a reply" });
    await reply.getByRole("button", { name: "Edit" }).click();
    await reply.waitFor({ state: "detached" });
    await expect(a.locator(".reply-bar p").textContent()).resolves.toBe("Replying to alice: this one is fine");
    await expect(a.getByRole("textbox", { name: /^Message/ }).inputValue()).resolves.toBe("REFUSE ME as a reply");
  });

  it("brings the name form back with the reason when the room refuses a name", async () => {
    const room = uniqueRoom("badname");
    const alice = await person({ name: "alice" });
    let refused = 0;
    await alice.page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
      // The first join (in the URL: the client has no session yet) is refused.
      if (refused === 0 && new URL(ws.url()).searchParams.get("name") === "alice") {
        refused += 1;
        ws.send(JSON.stringify({ type: "error", code: "name_invalid", message: "name is taken by the test" }));
        return;
      }
      ws.connectToServer();
    });
    const a = alice.page;
    await a.goto(`/r/${room}`);
    await a.getByText("The room refused that name: name is taken by the test.").waitFor();
    const nameBox = a.getByRole("textbox", { name: "Your name" });
    await expect(nameBox.inputValue()).resolves.toBe("alice");
    await nameBox.fill("alice2");
    await nameBox.press("Enter");
    await waitLive(a);
    await a.locator("li.presence.joined", { hasText: "alice2 joined" }).waitFor();
  });

  it("paces a burst typed faster than the room's rate: all arrive in order, no refusal shown", async () => {
    const room = uniqueRoom("burst");
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    const burst = Array.from({ length: 16 }, (_, i) => `burst ${i + 1}`);
    for (const text of burst) await say(alice.page, text);
    await waitShown(bob.page, "burst 16");
    expect(await texts(bob.page)).toEqual(burst);
    await until(async () => (await alice.page.locator("li.pending").count()) === 0, "alice's outbox empty");
    await expect(alice.page.locator("li.notice").count()).resolves.toBe(0);
    await expectGapFree(bob.page);
  });
});
