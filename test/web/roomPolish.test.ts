/**
 * Issue 14's room page, in Debian's Chromium against a real `wrangler dev`:
 * a "New messages" divider before the first message from someone else this
 * browser has not seen; the message box's draft kept per room (a reload,
 * the way home and back) and dropped once sent; a message held back by the
 * pace saying "Slow down" until it goes; search marks that fold accents.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserSuite, enterRoom, say, setHidden, until, waitLive, waitShown } from "./support/browser.ts";

// The room's real pace (10 at once, then 5 a second): the burst test needs it.
const suite = browserSuite();
const person = suite.person;

function uniqueRoom(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

function box(page: Page) {
  return page.getByRole("textbox", { name: /^Message/ });
}

/** The text of the transcript's items (events, the divider), top to bottom. */
function itemTexts(page: Page): Promise<string[]> {
  return page.$$eval("ol.transcript:not(.pending-list) > li:not([hidden])", (items) =>
    items.map((item) => (item.classList.contains("new-marker") ? "--new--" : (item.querySelector(":scope > .text")?.textContent ?? ""))),
  );
}

function storedDraft(page: Page, room: string): Promise<string | null> {
  return page.evaluate(`localStorage.getItem("parley.draft.${room}")`);
}

describe("the room page remembers", () => {
  it("puts a New messages divider before the first message not seen, and starts the view there", async () => {
    const room = uniqueRoom("unread");
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    await say(bob.page, "before you left");
    await say(alice.page, "see you later");
    await waitShown(alice.page, "before you left");
    await waitShown(alice.page, "see you later");
    // Nothing new for someone who saw everything.
    expect(await alice.page.locator(".new-marker").count()).toBe(0);

    // Alice's tab goes away; Bob says three things meanwhile.
    await alice.page.goto("/");
    for (const text of ["one", "two", "three"]) await say(bob.page, text);
    await waitShown(bob.page, "three");

    await alice.page.goto(`/r/${room}`);
    await waitLive(alice.page);
    await waitShown(alice.page, "three");
    const divider = alice.page.locator(".new-marker", { hasText: "New messages" });
    await divider.waitFor();
    const texts = await itemTexts(alice.page);
    expect(texts.slice(texts.indexOf("--new--") - 1, texts.indexOf("--new--") + 2)).toEqual(["see you later", "--new--", "one"]);
    expect(texts.filter((t) => t === "--new--")).toHaveLength(1);
    // In view, and the newest seq seen is remembered for the start page.
    await until(() => divider.isVisible(), "the divider in view");
    const seqOf = (text: string) => alice.page.locator("ol.transcript > li.msg", { hasText: text }).getAttribute("data-seq").then(Number);
    const stored = () => alice.page.evaluate(`Number(localStorage.getItem("parley.lastSeen.${room}"))`) as Promise<number>;
    const three = await seqOf("three");
    await until(async () => (await stored()) >= three, "the seen seq saved");

    // A hidden tab sees nothing: what comes meanwhile is seen once the tab is back.
    await setHidden(alice.page, true);
    await say(bob.page, "while hidden");
    await waitShown(alice.page, "while hidden");
    const hidden = await seqOf("while hidden");
    await alice.page.waitForTimeout(300);
    expect(await stored()).toBeLessThan(hidden);
    await setHidden(alice.page, false);
    await until(async () => (await stored()) >= hidden, "seen once visible");

    // Seen now: a reload marks nothing new, and Alice's own message is never "new" to her.
    await say(alice.page, "back again");
    await waitShown(alice.page, "back again");
    await alice.page.reload();
    await waitLive(alice.page);
    await waitShown(alice.page, "back again");
    expect(await alice.page.locator(".new-marker").count()).toBe(0);

    // Away again while Bob writes screens of text: the view starts at the newest, the divider above it.
    await alice.page.goto("/");
    const long = "a long paragraph about the plan, ".repeat(20);
    await bob.page.evaluate(`(() => {
      const box = document.querySelector(".composer textarea");
      for (let i = 1; i <= 8; i++) {
        box.value = ${JSON.stringify(long)} + i;
        box.form.requestSubmit();
      }
    })()`);
    await waitShown(bob.page, long.trim() + " 8");
    await alice.page.goto(`/r/${room}`);
    await waitLive(alice.page);
    await waitShown(alice.page, long.trim() + " 8");
    await alice.page.locator(".new-marker").waitFor({ state: "attached" });
    await until(
      () => alice.page.evaluate(`(() => { const s = document.querySelector(".scroller"); return s.scrollHeight - s.scrollTop - s.clientHeight < 48; })()`),
      "the view at the newest",
    );
    expect(await alice.page.locator(".new-marker").isVisible()).toBe(true); // rendered…
    expect(
      await alice.page.evaluate(`document.querySelector(".new-marker").getBoundingClientRect().bottom < document.querySelector(".scroller").getBoundingClientRect().top`),
    ).toBe(true); // …but above the view, until Alice scrolls up
  });

  it("keeps the unsent text per room across a reload and the way home and back, and drops it once sent", async () => {
    const room = uniqueRoom("draft");
    const alice = await person({ name: "alice" });
    const other = uniqueRoom("elsewhere");
    await enterRoom(alice, room);
    const page = alice.page;
    await box(page).fill("half a thought");
    await until(async () => (await storedDraft(page, room)) === "half a thought", "the draft saved");

    await page.reload();
    await waitLive(page);
    await expect.poll(() => box(page).inputValue()).toBe("half a thought");

    // Home by the "← Parley" link, another room (its own box is empty), then back.
    await page.getByRole("link", { name: /Parley home/ }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await enterRoom(alice, other);
    expect(await box(page).inputValue()).toBe("");
    await page.goto(`/r/${room}`);
    await waitLive(page);
    await expect.poll(() => box(page).inputValue()).toBe("half a thought");

    await box(page).press("Enter");
    await waitShown(page, "half a thought");
    expect(await box(page).inputValue()).toBe("");
    await until(async () => (await storedDraft(page, room)) === null, "the draft dropped");
    await page.reload();
    await waitLive(page);
    expect(await box(page).inputValue()).toBe("");
  });

  it('says "Slow down" on a message the pace holds back, until it goes', async () => {
    const room = uniqueRoom("burst");
    const alice = await person({ name: "alice" });
    await enterRoom(alice, room);
    const page = alice.page;
    // Twenty at once, faster than anyone types: the first eight go, the rest follow at the room's pace.
    await page.evaluate(`(() => {
      const box = document.querySelector(".composer textarea");
      for (let i = 1; i <= 20; i++) {
        box.value = "burst " + i;
        box.form.requestSubmit();
      }
    })()`);
    const held = page.locator(".pending-list .pending-status", { hasText: /^Slow down: sending in \d+ s$/ });
    await held.first().waitFor();
    await waitShown(page, "burst 20");
    await until(async () => (await page.locator(".pending-list > li").count()) === 0, "every message sent");
    const shown = await page.$$eval("ol.transcript:not(.pending-list) > li.msg .text", (items) => items.map((i) => i.textContent));
    expect(shown).toEqual(Array.from({ length: 20 }, (_, i) => `burst ${i + 1}`));
  });

  it('marks "Café" for a search for "cafe"', async () => {
    const room = uniqueRoom("accents");
    const alice = await person({ name: "alice" });
    await enterRoom(alice, room);
    const page = alice.page;
    await say(page, "Meet at the Café Zoë at noon");
    await waitShown(page, "Meet at the Café Zoë at noon");
    await page.keyboard.press("Control+K");
    const search = page.getByRole("searchbox", { name: "Search messages" });
    await search.fill("cafe");
    await search.press("Enter");
    const result = page.locator(".search-panel .result");
    await result.first().waitFor();
    expect(await result.locator("mark").allTextContents()).toEqual(["Café"]);
    // The last word also matches as a prefix: "zo" marks "Zoë".
    await search.fill("cafe zo");
    await search.press("Enter");
    await until(async () => (await result.first().locator("mark").allTextContents()).join(",") === "Café,Zoë", "both words marked");
  });
});
