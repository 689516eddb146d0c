/**
 * The browser client in Debian's Chromium against a real `wrangler dev`:
 * the landing page, two and three people chatting, commands, presence and
 * typing, sharing the link, scroll-back, user text that never becomes markup,
 * the security headers and CSP, keyboard use, phone width and dark mode.
 * Every page must end without a script error, console error or CSP violation.
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { join, uniqueRoom } from "../support/node.ts";
import {
  browserSuite,
  enterRoom,
  expectGapFree,
  focused,
  say,
  scrollsSideways,
  setHidden,
  shownMessages,
  shownSeqs,
  until,
  waitShown,
  type Person,
  type PersonOptions,
} from "./support/browser.ts";

// Scroll-back needs a long history fast: seeded from Node without the default pace.
const suite = browserSuite({ vars: { RATE_BURST: 1000, RATE_PER_SECOND: 1000 } });
const person = suite.person;

const CSP_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

describe("the page", () => {
  it("is served with a strict CSP and safe headers on / and /r/<room>, within the size budget", async () => {
    const created = (await (await fetch(`${suite.server.url}/api/rooms`, { method: "POST" })).json()) as { room: string };
    for (const path of ["/", "/r/lobby", `/r/${created.room}`]) {
      const response = await fetch(`${suite.server.url}${path}`, { headers: { Accept: "text/html" } });
      expect(response.status, path).toBe(200);
      const csp = response.headers.get("Content-Security-Policy") ?? "";
      for (const directive of CSP_DIRECTIVES) expect(csp, path).toContain(directive);
      expect(csp).not.toContain("unsafe");
      expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(response.headers.get("X-Frame-Options")).toBe("DENY");
      const html = await response.text();
      expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/); // no inline script
      expect(html).not.toMatch(/<style|\sstyle=/); // no inline style
    }
    let gzipped = 0;
    for (const file of ["/build/app.js", "/build/app.css"]) {
      const response = await fetch(`${suite.server.url}${file}`);
      expect(response.status, file).toBe(200);
      gzipped += gzipSync(Buffer.from(await response.arrayBuffer()), { level: 9 }).byteLength;
    }
    // The budget scripts/build-web.mjs enforces (BUDGET_BYTES), checked again on what is served.
    expect(gzipped).toBeLessThan(40 * 1024);
  });

  it("creates a private room in one click and lands in it with the link ready to share", async () => {
    const alice = await person({ name: "alice" });
    await alice.context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const { page } = alice;
    await page.goto("/");
    await page.getByRole("button", { name: "Create a private room" }).click();
    await page.waitForURL(/\/r\/[0-9a-f]{64}$/);
    await page.locator('.status[data-state="live"]').waitFor();
    const url = page.url();
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Private room");
    const panel = page.getByRole("region", { name: "Your private room is ready" });
    await expect(panel.getByRole("textbox", { name: "Room link" }).inputValue()).resolves.toBe(url);
    await panel.getByRole("button", { name: "Copy link to this room" }).click();
    await until(async () => (await readClipboard(page)) === url, "the link on the clipboard");
    await expect(page.title()).resolves.toBe("Private room · Parley");

    // Back on the start page the room is listed, marked private, without its whole id.
    await page.goto("/");
    const recent = page.getByRole("region", { name: "Recent rooms" });
    const link = recent.getByRole("link", { name: /^Private room [0-9a-f]{6}…$/ });
    await expect(link.getAttribute("href")).resolves.toBe(new URL(url).pathname);
  });

  it("joins a public room by name or pasted link, and explains a bad name", async () => {
    const { page } = await person({ name: "alice" });
    await page.goto("/");
    const input = page.getByRole("textbox", { name: "Room name" });
    await input.fill("!!!"); // nothing of a name in it ("no spaces please" would open #no-spaces-please)
    await input.press("Enter");
    await page.getByText(/That is not a room: room names are 1-64 characters/).waitFor();
    expect(new URL(page.url()).pathname).toBe("/");
    await input.fill("Lobby-Web");
    await input.press("Enter");
    await page.waitForURL(/\/r\/lobby-web$/);
    await page.locator('.status[data-state="live"]').waitFor();
    await page.goto("/");
    await input.fill(`https://parley.example.workers.dev/r/Other_Room`);
    await page.getByRole("button", { name: "Join" }).click();
    await page.waitForURL(/\/r\/other_room$/);
  });

  it("says so when a private room does not exist, instead of connecting forever", async () => {
    const missing = await person({ name: "alice" });
    missing.expected.push(/status of 404 .*\/api\/rooms\/0{64}\)$/);
    const { page } = missing;
    await page.goto(`/r/${"0".repeat(64)}`);
    await page.getByRole("heading", { name: "No such room" }).waitFor();
    await page.goto("/r/not%20a%20room");
    await page.getByRole("heading", { name: "Not a room" }).waitFor();
  });
});

describe("owner keys on the start page", () => {
  it("keeps the owner key POST /api/rooms answers, per room, and joins that room with it (in the join frame only)", async () => {
    const alice = await person({ name: "alice" });
    const { page } = alice;
    // The key is the server's to make; here a known one is put into its real answer, so the test sees where it goes.
    const ownerKey = "k".repeat(43);
    await page.route("**/api/rooms", async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as Record<string, unknown>;
      await route.fulfill({ response, json: { ...body, ownerKey } });
    });
    const joins: string[] = [];
    page.on("websocket", (ws) => ws.on("framesent", (frame) => joins.push(String(frame.payload))));
    await page.goto("/");
    await page.getByRole("button", { name: "Create a private room" }).click();
    await page.waitForURL(/\/r\/[0-9a-f]{64}$/);
    await page.locator('.status[data-state="live"]').waitFor();
    const room = new URL(page.url()).pathname.slice(3);
    await expect(page.evaluate(`localStorage.getItem("parley.owner.${room}")`)).resolves.toBe(ownerKey);
    expect(JSON.parse(joins.find((f) => f.includes('"type":"join"'))!)).toMatchObject({ type: "join", ownerKey });
    expect(page.url()).not.toContain(ownerKey);
  });
});

describe("chatting", () => {
  it("lets people chat both ways with join, typing, rename, /me, commands, presence and a shared link", async () => {
    const room = uniqueRoom("web");
    const alice = await person({ name: "alice" });
    await alice.context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await enterRoom(alice, room);
    const a = alice.page;
    await expect(focused(a)).resolves.toMatchObject({ tag: "TEXTAREA" });

    // Bob has never been here: he picks a name first and sees who is in.
    const bob = await person();
    const b = bob.page;
    await b.goto(`/r/${room}`);
    await b.getByText("Here now: alice").waitFor();
    await b.getByRole("textbox", { name: "Your name" }).fill("bob");
    await b.getByRole("button", { name: "Join" }).click();
    await b.locator('.status[data-state="live"]').waitFor();
    await a.locator("li.presence.joined", { hasText: "bob joined" }).waitFor();
    await expect(memberNames(a)).resolves.toEqual(["alice (you)", "bob"]);
    expect(await a.locator(".members-toggle").isVisible()).toBe(false); // the list is always shown on a wide screen

    await say(a, "hello bob");
    const received = b.locator("li.msg", { hasText: "hello bob" });
    await received.waitFor();
    await expect(received.locator(".name").textContent()).resolves.toBe("alice");
    await expect(received.locator("time").getAttribute("datetime")).resolves.toMatch(/^\d{4}-\d\d-\d\dT/);
    await a.locator("li.pending").waitFor({ state: "detached" });

    // Typing shows on the other side, and goes when the message arrives.
    await b.getByRole("textbox", { name: /^Message/ }).pressSequentially("hi al");
    await a.getByText("bob is typing…").waitFor();
    await b.getByRole("textbox", { name: /^Message/ }).pressSequentially("ice");
    await b.getByRole("textbox", { name: /^Message/ }).press("Shift+Enter");
    await b.getByRole("textbox", { name: /^Message/ }).pressSequentially("second line");
    await b.getByRole("textbox", { name: /^Message/ }).press("Enter");
    await waitShown(a, "second line");
    await a.getByText("bob is typing…").waitFor({ state: "hidden" });
    expect(await shownMessages(a)).toEqual(["hello bob", "hi alice\nsecond line"]);
    await expect(a.getByTestId("announcer").textContent()).resolves.toContain("bob: hi alice");

    await say(b, "/me waves");
    await a.locator("li.action", { hasText: "* bob waves" }).waitFor();
    await say(b, "/nick robert");
    await a.locator("li.presence.renamed", { hasText: "bob is now robert" }).waitFor();
    await until(async () => (await memberNames(a)).includes("robert"), "robert in alice's list");
    await expect(b.evaluate(() => localStorage.getItem("parley.name"))).resolves.toBe("robert");

    await say(a, "/who");
    await a.locator("li.notice", { hasText: "Online now (2): alice (you), robert" }).waitFor();
    await say(a, "/help");
    await a.locator("li.notice", { hasText: "/nick NAME" }).waitFor();
    await say(a, "/dance");
    await a.locator("li.notice", { hasText: "Unknown command /dance" }).waitFor();
    // A mistyped command stays in the box to be fixed; nothing was sent.
    await expect(a.getByRole("textbox", { name: /^Message/ }).inputValue()).resolves.toBe("/dance");
    await a.getByRole("textbox", { name: /^Message/ }).fill("");

    // The Copy link button shares the room; the link opens it for a third person.
    await a.getByRole("button", { name: "Copy link to this room" }).click();
    const link = await readClipboard(a);
    expect(link).toBe(`${suite.server.url}/r/${room}`);
    const carol = await person({ name: "carol" });
    await carol.page.goto(link);
    await carol.page.locator('.status[data-state="live"]').waitFor();
    await carol.page.locator("li.msg", { hasText: "hello bob" }).waitFor();
    await a.locator("li.presence.joined", { hasText: "carol joined" }).waitFor();
    await until(async () => (await memberNames(carol.page)).length === 3, "three online for carol");

    // Robert leaves through the home link: a goodbye, so the others see it at once.
    await b.getByRole("link", { name: /Parley home/ }).click();
    await b.waitForURL(`${suite.server.url}/`);
    await a.locator("li.presence.left", { hasText: "robert left" }).waitFor();
    await until(async () => (await memberNames(a)).length === 2, "robert gone from alice's list");

    // Everyone saw the same events, each once and in order.
    const aliceSeqs = await expectGapFree(a);
    const carolSeqs = await expectGapFree(carol.page);
    expect(carolSeqs.at(-1)).toBe(aliceSeqs.at(-1));
    expect(aliceSeqs).toEqual(expect.arrayContaining(carolSeqs));
  });

  it("shows user text as text: markup never runs, only http(s) links are clickable", async () => {
    const room = uniqueRoom("xss");
    const alice = await person({ name: "alice" });
    const mallory = await person({ name: "<b>mallory</b>" });
    await enterRoom(alice, room);
    await enterRoom(mallory, room);
    const payloads = [
      "<img src=x onerror=alert(1)>",
      "<script>alert(2)</script>",
      "javascript:alert(3)",
      '<a href="javascript:alert(4)">click</a>',
      "see https://example.com/path?q=1 and data:text/html,<b>x</b>",
    ];
    for (const text of payloads) await say(mallory.page, text);
    const a = alice.page;
    await waitShown(a, "data:text/html");
    expect(await shownMessages(a)).toEqual(payloads);
    const transcript = a.locator("ol.transcript");
    await expect(transcript.locator("img, script, b").count()).resolves.toBe(0);
    await expect(transcript.locator("li.presence .name", { hasText: "<b>mallory</b>" }).count()).resolves.toBe(1);
    const links = await transcript.locator("a").evaluateAll((anchors) =>
      anchors.map((x) => ({ href: x.getAttribute("href"), rel: x.getAttribute("rel"), target: x.getAttribute("target") })),
    );
    expect(links).toEqual([{ href: "https://example.com/path?q=1", rel: "noopener noreferrer nofollow", target: "_blank" }]);
  });

  it("loads older history when scrolling up, keeping the reader's place", async () => {
    const room = uniqueRoom("history");
    const { socket } = await join(suite.server.url, room, "archivist");
    const total = 130;
    for (let i = 1; i <= total; i++) socket.send({ type: "message", text: `old ${i}`, id: `old-${i}` });
    await socket.nextMessage((m) => m.id === `old-${total}`, 15_000);

    const alice = await person({ name: "alice" });
    await enterRoom(alice, room);
    const a = alice.page;
    await a.locator("li.presence.joined", { hasText: "alice joined" }).waitFor();
    let seqs = await shownSeqs(a);
    expect(seqs).toHaveLength(50); // the newest 50
    const scroller = a.getByRole("region", { name: "Conversation" });
    // The newest is in view at first.
    await expect(scroller.evaluate((s) => s.scrollHeight - s.scrollTop - s.clientHeight)).resolves.toBeLessThan(48);

    for (let page = 0; page < 5 && seqs[0] !== 1; page++) {
      const firstShown = seqs[0]!;
      await scroller.evaluate((s) => (s.scrollTop = 0));
      await until(async () => (await shownSeqs(a))[0]! < firstShown, "an older page");
      // The message that was on top is still in view: the page went above it, not under the reader.
      const stillVisible = await a.locator(`li[data-seq="${firstShown}"]`).evaluate((item) => {
        const box = item.getBoundingClientRect();
        const view = item.closest(".scroller")!.getBoundingClientRect();
        return box.bottom > view.top && box.top < view.bottom;
      });
      expect(stillVisible).toBe(true);
      seqs = await shownSeqs(a);
    }
    expect(seqs[0]).toBe(1);
    await expectGapFree(a);
    await a.locator(".older").waitFor({ state: "hidden" });

    // Reading old messages, the reader is not yanked down by a new one: a button offers the jump.
    socket.send({ type: "message", text: "something new", id: "new-1" });
    const jump = a.getByRole("button", { name: "New messages ↓" });
    await jump.waitFor();
    await expect(scroller.evaluate((s) => s.scrollHeight - s.scrollTop - s.clientHeight)).resolves.toBeGreaterThan(1000);
    await jump.click();
    await jump.waitFor({ state: "hidden" });
    await expect(scroller.evaluate((s) => s.scrollHeight - s.scrollTop - s.clientHeight)).resolves.toBeLessThan(48);
    await expectGapFree(a);
    socket.close(1000);
  });
});

describe("layout and access", () => {
  it("fits a 375 px phone in dark mode with no sideways scroll; the member list opens from a button", async () => {
    const room = uniqueRoom("phone");
    const phone = await person({ name: "alice", viewport: { width: 375, height: 740 }, colorScheme: "dark" });
    const p = phone.page;
    await p.goto("/");
    expect(await scrollsSideways(p)).toBe(false);
    const background = await p.evaluate<string>("getComputedStyle(document.body).backgroundColor");
    expect(luminance(background)).toBeLessThan(0.1);

    await enterRoom(phone, room);
    await say(p, `a long word ${"x".repeat(300)} and a long link https://example.com/${"y".repeat(200)}`);
    await say(p, "/me checks the width on a very small screen with a rather long action line");
    await p.locator("li.action").waitFor();
    expect(await scrollsSideways(p)).toBe(false);

    const members = p.getByRole("complementary");
    await members.waitFor({ state: "hidden" });
    const toggle = p.getByRole("button", { name: /People online/ });
    await expect(toggle.getAttribute("aria-expanded")).resolves.toBe("false");
    await toggle.click();
    await members.waitFor({ state: "visible" });
    await expect(toggle.getAttribute("aria-expanded")).resolves.toBe("true");
    expect(await scrollsSideways(p)).toBe(false);
  });

  it("works from the keyboard: Enter sends, Shift+Enter breaks the line, the limit is counted", async () => {
    const room = uniqueRoom("keys");
    const alice = await person({ name: "alice" });
    await enterRoom(alice, room);
    const a = alice.page;
    await a.keyboard.type("first");
    await a.keyboard.press("Shift+Enter");
    await a.keyboard.type("second");
    await a.keyboard.press("Enter");
    await waitShown(a, "second");
    expect(await shownMessages(a)).toEqual(["first\nsecond"]);

    const box = a.getByRole("textbox", { name: /^Message/ });
    await box.fill("z".repeat(1900));
    await expect(a.locator(".counter").textContent()).resolves.toBe("100 left");
    await box.fill("z".repeat(2001));
    await expect(a.locator(".counter").textContent()).resolves.toBe("1 over the limit");
    await expect(a.getByRole("button", { name: "Send" }).isDisabled()).resolves.toBe(true);
    await box.press("Enter");
    await expect(a.locator(".composer-error").textContent()).resolves.toContain("1 character too long");
    await expect(a.locator("li.pending").count()).resolves.toBe(0);
    await box.fill("short again");
    await expect(a.locator(".counter").textContent()).resolves.toBe("");

    // Tab moves on to Send, and the controls have accessible names.
    await box.focus();
    await a.keyboard.press("Tab");
    await expect(focused(a)).resolves.toEqual({ tag: "BUTTON", text: "Send" });
    await a.keyboard.press("Enter");
    await waitShown(a, "short again");
  });

  it("counts unread messages in the tab title while the tab is hidden", async () => {
    const room = uniqueRoom("unread");
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    const a = alice.page;
    const base = `#${room} · Parley`;
    await expect(a.title()).resolves.toBe(base);
    // Headless Chromium never hides a page, so the test tells the page its tab went to the background.
    await setHidden(a, true);
    await say(bob.page, "one");
    await say(bob.page, "two");
    await until(async () => (await a.title()) === `(2) ${base}`, "two unread in the title");
    await setHidden(a, false);
    await until(async () => (await a.title()) === base, "title back to normal");
  });
});

function readClipboard(page: Person["page"]): Promise<string> {
  // A string: Node's own types know no Clipboard API.
  return page.evaluate("navigator.clipboard.readText()");
}

async function memberNames(page: Person["page"]): Promise<string[]> {
  return page.$$eval(".member-list li", (items) => items.map((item) => item.textContent ?? ""));
}

/** Relative luminance of a CSS rgb() colour, 0 (black) to 1 (white). */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number).map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}
