/**
 * Search, message links and mentions in the browser, in Debian's Chromium
 * against a real `wrangler dev`: searching by keyboard (Ctrl+K, Enter, the
 * arrows, Escape), the query's words marked in the results, a result far
 * back in the history opened in place (older pages loaded until it is
 * there), FTS syntax typed as text, `/search` typed in the message box; a
 * message's "Copy link" opened in a new page; a mention highlighted, and
 * notified with the tab hidden only after the person turned it on.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { join as joinRoom, uniqueRoom, type TestSocket } from "../support/node.ts";
import { activeText, browserSuite, enterRoom, pickFromMenu, say, setHidden, until, waitLive, waitShown } from "./support/browser.ts";

// Node sockets post fillers quickly: the per-connection pace is raised for them.
const suite = browserSuite({ vars: { RATE_BURST: 1000, RATE_PER_SECOND: 1000 } });
const person = suite.person;

/** The confirmed message item whose own text contains `text`. */
function messageItem(page: Page, text: string | RegExp) {
  return page.locator("ol.transcript:not(.pending-list) > li").filter({ has: page.locator(":scope > .text", { hasText: text }) });
}

/** Message item `seq` is in the conversation's visible area, highlighted, and has the focus. */
function landedOn(page: Page, seq: number): Promise<boolean> {
  return page.evaluate(`(() => {
    const item = document.querySelector('ol.transcript li[data-seq="${seq}"]');
    const box = document.querySelector(".scroller").getBoundingClientRect();
    const rect = item?.getBoundingClientRect();
    return !!rect && rect.top >= box.top && rect.bottom <= box.bottom && document.activeElement === item && item.classList.contains("flash");
  })()`);
}

/** Sam (a Node socket) posts `count` fillers to `room`. */
async function fill(room: string, count: number): Promise<void> {
  let sam: TestSocket | undefined;
  try {
    sam = (await joinRoom(suite.server.url, room, "sam")).socket;
    for (let i = 1; i <= count; i++) sam.send({ type: "message", text: `filler ${i}`, id: crypto.randomUUID() });
    await sam.nextMessage((m) => m.text === `filler ${count}`, 20_000);
  } finally {
    sam?.close(1000);
  }
}

/** What each result shows, with its marked words in [brackets]. */
function results(page: Page): Promise<string[]> {
  return page
    .getByRole("region", { name: "Search messages" })
    .locator(".result")
    .evaluateAll((buttons) =>
      buttons.map((b) =>
        [...b.querySelector(".snippet")!.childNodes].map((n) => (n.nodeName === "MARK" ? `[${n.textContent}]` : n.textContent)).join(""),
      ),
    );
}

describe("search", () => {
  it("searches by keyboard, marks the words, opens an old result in place, and takes FTS syntax as text", async () => {
    const room = uniqueRoom("search");
    const alice = await person({ name: "alice" });
    await enterRoom(alice, room);
    const a = alice.page;
    await say(a, "the Chocolate cake recipe is on the wiki");
    await say(a, "cake or pie for friday?");
    await waitShown(a, "cake or pie");
    const old = Number(await messageItem(a, "Chocolate cake").getAttribute("data-seq"));
    // 65 messages after it: more than a welcome's 50 events.
    await fill(room, 65);
    await a.reload();
    await waitLive(a);
    await waitShown(a, "filler 65");
    await expect(a.locator(`li[data-seq="${old}"]`).count()).resolves.toBe(0);

    // Ctrl+K from the message box opens the search with the focus in its box.
    const composer = a.getByRole("textbox", { name: /^Message/ });
    await composer.focus();
    await a.keyboard.press("Control+k");
    const box = a.getByRole("searchbox", { name: "Search messages" });
    await expect(a.evaluate("document.activeElement?.getAttribute('type')")).resolves.toBe("search");
    await expect(a.getByRole("button", { name: "Search messages" }).getAttribute("aria-expanded")).resolves.toBe("true");
    await a.keyboard.type("chocolate CAKE");
    await a.keyboard.press("Enter");
    const panel = a.getByRole("region", { name: "Search messages" });
    await panel.getByRole("status").getByText("1 message with “chocolate CAKE”, newest first.").waitFor();
    await expect(results(a)).resolves.toEqual(["the [Chocolate] [cake] recipe is on the wiki"]);
    await expect(panel.getByRole("button", { name: /^alice .*the Chocolate cake recipe/ }).count()).resolves.toBe(1);

    // One word: both messages, newest first; the arrows go down the results, Enter opens the old one.
    await box.fill("cake");
    await box.press("Enter");
    await until(async () => (await results(a)).length === 2, "two results");
    await expect(results(a)).resolves.toEqual(["[cake] or pie for friday?", "the Chocolate [cake] recipe is on the wiki"]);
    await a.keyboard.press("ArrowDown");
    await a.keyboard.press("ArrowDown");
    await expect(activeText(a)).resolves.toMatch(/Chocolate cake recipe/);
    await a.keyboard.press("Enter");
    await until(() => landedOn(a, old), "the old message in view, highlighted, focused");
    // Older history came in between, in order.
    await expect(messageItem(a, /^filler 1$/).count()).resolves.toBe(1);

    // Query syntax is only text: no error, just what matches (or nothing).
    for (const q of ['"', 'NEAR(cake pie', "cake*", "-cake OR pie:", "title:cake"]) {
      await a.keyboard.press("Control+k");
      await box.fill(q);
      await box.press("Enter");
      await panel.getByRole("status").getByText(new RegExp(`with “${q.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}”`)).waitFor();
    }
    await expect(a.locator(".notice.error").count()).resolves.toBe(0);

    // Escape closes it and gives the focus back to where it was.
    await a.keyboard.press("Escape");
    await panel.waitFor({ state: "hidden" });
    await expect(a.getByRole("button", { name: "Search messages" }).getAttribute("aria-expanded")).resolves.toBe("false");

    // Typed /search shows its answer in the same panel.
    await say(a, "/search pie");
    await panel.waitFor();
    await until(async () => JSON.stringify(await results(a)) === JSON.stringify(["cake or [pie] for friday?"]), "the /search result");
  });

  it("shows older results a page at a time", async () => {
    const room = uniqueRoom("search-more");
    const alice = await person({ name: "alice" });
    await enterRoom(alice, room);
    const a = alice.page;
    await fill(room, 25);
    await waitShown(a, "filler 25");
    await a.getByRole("button", { name: "Search messages" }).click();
    await a.getByRole("searchbox", { name: "Search messages" }).fill("filler");
    await a.keyboard.press("Enter");
    const panel = a.getByRole("region", { name: "Search messages" });
    await panel.getByRole("status").getByText("20+ messages with “filler”, newest first.").waitFor();
    await panel.getByRole("button", { name: "Show older results" }).click();
    await panel.getByRole("status").getByText("25 messages with “filler”, newest first.").waitFor();
    await panel.getByRole("button", { name: "Show older results" }).waitFor({ state: "hidden" });
    const shown = await results(a);
    expect(shown[0]).toBe("[filler] 25");
    expect(shown.at(-1)).toBe("[filler] 1");
  });
});

describe("message links", () => {
  it("copies a message's link from its menu; opened in a new page it shows that message, loading older history", async () => {
    const room = uniqueRoom("link");
    const alice = await person({ name: "alice" });
    await alice.context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await enterRoom(alice, room);
    const a = alice.page;
    await say(a, "the venue is the old library");
    await waitShown(a, "old library");
    const seq = Number(await messageItem(a, "old library").getAttribute("data-seq"));
    await pickFromMenu(a, messageItem(a, "old library").getByRole("button", { name: "Actions for the message from you" }), "Copy link");
    await a.locator(".toast", { hasText: "Link copied" }).waitFor();
    const link = await a.evaluate<string>("navigator.clipboard.readText()");
    expect(link).toBe(`${suite.server.url}/r/${room}#m${seq}`);

    await fill(room, 65);
    // Someone else, in a new page of their own.
    const bob = await person({ name: "bob" });
    await bob.page.goto(link);
    await waitLive(bob.page);
    await until(() => landedOn(bob.page, seq), "the linked message in view, highlighted, focused");
    expect(new URL(bob.page.url()).hash).toBe(`#m${seq}`);

    // A link to a message that is not there says so.
    const carol = await person({ name: "carol" });
    await carol.page.goto(`/r/${room}#m999999`);
    await waitLive(carol.page);
    await carol.page.locator(".notice.warning", { hasText: "That message is no longer in this room's history." }).waitFor();
  });

  it("keeps owner links working: the key is taken and the fragment cleared", async () => {
    const room = uniqueRoom("link-owner");
    const alice = await person({ name: "alice" });
    await alice.page.goto(`/r/${room}#owner=some-key`);
    await waitLive(alice.page);
    expect(new URL(alice.page.url()).hash).toBe("");
    await expect(alice.page.evaluate(`localStorage.getItem("parley.owner.${room}")`)).resolves.toBe("some-key");
  });
});

/** Records every Notification the page creates (title and body), before the app runs. */
const RECORD_NOTIFICATIONS = `{
  const Real = window.Notification;
  window.__notified = [];
  window.Notification = class extends Real {
    constructor(title, options) { super(title, options); window.__notified.push({ title, body: options && options.body }); }
  };
}`;

function notified(page: Page): Promise<{ title: string; body: string }[]> {
  return page.evaluate("window.__notified");
}

describe("mentions", () => {
  it("highlights a mention, and notifies of one in a hidden tab once asked to, with the title badge", async () => {
    const room = uniqueRoom("mention");
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    await alice.context.grantPermissions(["notifications"]);
    await alice.context.addInitScript(RECORD_NOTIFICATIONS);
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    const a = alice.page;
    const b = bob.page;

    // Highlighted and said for alice; not for bob, who wrote it.
    await say(b, "@alice can you review the slides?");
    await waitShown(a, "review the slides");
    const mention = messageItem(a, "review the slides");
    await expect(mention.getAttribute("class")).resolves.toMatch(/\bmention\b/);
    await expect(mention.locator(".meta").textContent()).resolves.toMatch(/mentions you$/);
    await waitShown(b, "review the slides");
    await expect(messageItem(b, "review the slides").getAttribute("class")).resolves.not.toMatch(/\bmention\b/);
    await expect(messageItem(a, "review the slides").and(a.locator(".mention")).count()).resolves.toBe(1);

    // Hidden, not opted in: the badge counts, but no notification.
    await setHidden(a, true);
    await say(b, "just chatting");
    await say(b, "@alice ping");
    await until(async () => (await a.title()).startsWith("(@1) "), "the mention badge");
    await expect(notified(a)).resolves.toEqual([]);
    await setHidden(a, false);
    await until(async () => !(await a.title()).startsWith("("), "the badge cleared");

    // Alice turns it on from the header's bell (keyboard), then a mention in a hidden tab notifies.
    const bell = a.getByRole("button", { name: "Notify me when mentioned" });
    await expect(bell.getAttribute("aria-pressed")).resolves.toBe("false");
    await bell.focus();
    await a.keyboard.press("Enter");
    await until(async () => (await bell.getAttribute("aria-pressed")) === "true", "the bell on");
    await setHidden(a, true);
    await say(b, "plain news");
    await until(async () => (await a.title()).startsWith("(1) "), "the unread badge");
    await say(b, "thanks @Alice!");
    await until(async () => (await notified(a)).length === 1, "one notification");
    await expect(notified(a)).resolves.toEqual([{ title: `bob mentioned you in #${room}`, body: "thanks @Alice!" }]);
    await until(async () => (await a.title()).startsWith("(@1) "), "the mention badge");

    // Remembered by this browser; turned off again, nothing more.
    await setHidden(a, false);
    await a.reload();
    await waitLive(a);
    await expect(bell.getAttribute("aria-pressed")).resolves.toBe("true");
    await bell.click();
    await until(async () => (await bell.getAttribute("aria-pressed")) === "false", "the bell off");
    await setHidden(a, true);
    await say(b, "@alice one more");
    await until(async () => (await a.title()).startsWith("(@1) "), "the mention badge");
    await expect(notified(a)).resolves.toEqual([]);
  });
});
