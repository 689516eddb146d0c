/**
 * Replies and reactions in the browser, in Debian's Chromium against a real
 * `wrangler dev`: a reply from the message menu (the "Replying to" bar,
 * Escape and × cancel it), its quote for everyone and for a newcomer, the
 * quote going to the original (older history loaded until it is there), the
 * quote following the original's edit and deletion; reactions from the
 * picker (keyboard only too), chips that count and toggle for each person,
 * "mine" after a reload, the room's emoji in the picker, and the room's
 * limit said in words.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { join as joinRoom, uniqueRoom, type TestSocket } from "../support/node.ts";
import { activeText, browserSuite, enterRoom, pickFromMenu, say, until, waitLive, waitShown } from "./support/browser.ts";

// Node sockets post fillers and reactions quickly: the per-connection pace is raised for them.
const suite = browserSuite({ vars: { RATE_BURST: 1000, RATE_PER_SECOND: 1000 } });
const person = suite.person;

/** The confirmed message item whose own text (not a quote in it) contains `text`. */
function messageItem(page: Page, text: string | RegExp) {
  return page.locator("ol.transcript:not(.pending-list) > li.msg").filter({ has: page.locator(":scope > .text", { hasText: text }) });
}

/** The menu button of the message containing `text`, written by `from` ("you" for one's own). */
function actions(page: Page, text: string, from: string) {
  return messageItem(page, text).getByRole("button", { name: `Actions for the message from ${from}` });
}

function activeLabel(page: Page): Promise<string | null | undefined> {
  return page.evaluate("document.activeElement?.getAttribute('aria-label')");
}

/** The chips under the message containing `text`: what each shows and whether it is pressed. */
function chips(page: Page, text: string): Promise<string[]> {
  return messageItem(page, text)
    .locator(".chip")
    .evaluateAll((buttons) => buttons.map((b) => `${b.textContent} ${b.getAttribute("aria-pressed") === "true" ? "(mine)" : ""}`.trim()));
}

async function waitChips(page: Page, text: string, expected: string[]): Promise<void> {
  let last: string[] = [];
  await until(async () => JSON.stringify((last = await chips(page, text))) === JSON.stringify(expected), `chips ${expected.join(", ")} (last: ${last.join(", ")})`);
}

/** The message item `seq` is in the conversation's visible area, and has the focus. */
function inViewAndFocused(page: Page, seq: number): Promise<boolean> {
  return page.evaluate(`(() => {
    const item = document.querySelector('ol.transcript li[data-seq="${seq}"]');
    const box = document.querySelector(".scroller").getBoundingClientRect();
    const rect = item?.getBoundingClientRect();
    return !!rect && rect.top >= box.top && rect.bottom <= box.bottom && document.activeElement === item;
  })()`);
}

describe("replies", () => {
  it("replies from the message menu; the quote shows for everyone, goes to the original and follows its edit and deletion", async () => {
    const room = uniqueRoom("reply");
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    const a = alice.page;
    const b = bob.page;
    await say(a, "who is bringing the cake on friday?");
    await waitShown(b, "bringing the cake");

    // The menu offers Reply; the bar names what is answered and the message box has the focus. Escape cancels.
    await pickFromMenu(b, actions(b, "bringing the cake", "alice"), "Reply");
    const bar = b.locator(".reply-bar");
    await expect(bar.locator("p").textContent()).resolves.toBe("Replying to alice: who is bringing the cake on friday?");
    await expect(b.evaluate("document.activeElement?.getAttribute('aria-describedby')")).resolves.toMatch(/-reply /);
    await b.keyboard.press("Escape");
    await bar.waitFor({ state: "hidden" });
    // × cancels too (by mouse).
    await actions(b, "bringing the cake", "alice").click();
    await b.getByRole("menuitem", { name: "Reply" }).click();
    await b.getByRole("button", { name: "Cancel reply" }).click();
    await bar.waitFor({ state: "hidden" });

    await pickFromMenu(b, actions(b, "bringing the cake", "alice"), "Reply");
    await say(b, "I am, chocolate");
    await bar.waitFor({ state: "hidden" });
    const quoteName = "In reply to alice: who is bringing the cake on friday?";
    for (const page of [a, b]) await messageItem(page, "I am, chocolate").getByRole("button", { name: quoteName }).waitFor();
    // A plain message after it is not a reply.
    await say(b, "with sprinkles");
    await waitShown(a, "with sprinkles");
    await expect(messageItem(a, "with sprinkles").locator(".quote").count()).resolves.toBe(0);

    // The quote goes to the original: scrolled into view, highlighted a moment, focused.
    const original = Number(await messageItem(a, "bringing the cake").getAttribute("data-seq"));
    await messageItem(a, "I am, chocolate").getByRole("button", { name: quoteName }).click();
    await messageItem(a, "bringing the cake").and(a.locator(".flash")).waitFor();
    await until(() => inViewAndFocused(a, original), "the original in view with the focus");
    await a.locator("li.flash").waitFor({ state: "detached" });

    // Alice edits her message: the quote follows, marked edited.
    await pickFromMenu(a, actions(a, "bringing the cake", "you"), "Edit");
    const box = a.getByRole("textbox", { name: "Edit your message" });
    await box.fill("who is bringing the cake on saturday?");
    await box.press("Enter");
    for (const page of [a, b]) {
      const quote = messageItem(page, "I am, chocolate").getByRole("button", { name: "In reply to alice: who is bringing the cake on saturday? (edited)" });
      await quote.waitFor();
      await expect(quote.textContent()).resolves.toBe("alice who is bringing the cake on saturday? (edited)");
    }

    // She deletes it: the quote keeps no word of it.
    await pickFromMenu(a, actions(a, "bringing the cake", "you"), "Delete");
    for (const page of [a, b]) {
      const quote = messageItem(page, "I am, chocolate").getByRole("button", { name: "In reply to alice: original message deleted" });
      await quote.waitFor();
      await expect(quote.textContent()).resolves.toBe("alice Original message deleted");
      await expect(page.getByText("bringing the cake").count()).resolves.toBe(0);
    }
    // As the room stored it: after a reload, and for a newcomer.
    await b.reload();
    await waitLive(b);
    const carol = await person({ name: "carol" });
    await enterRoom(carol, room);
    for (const page of [b, carol.page]) {
      await messageItem(page, "I am, chocolate").getByRole("button", { name: "In reply to alice: original message deleted" }).waitFor();
    }
  });

  it("loads older history until the quoted message is there, when it is not among the newest", async () => {
    const room = uniqueRoom("reply-far");
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    await say(alice.page, "the plan: ship on monday");
    await waitShown(bob.page, "ship on monday");
    const original = Number(await messageItem(bob.page, "ship on monday").getAttribute("data-seq"));

    // 65 messages after it: more than a welcome's 50 events.
    let sam: TestSocket | undefined;
    try {
      sam = (await joinRoom(suite.server.url, room, "sam")).socket;
      for (let i = 1; i <= 65; i++) sam.send({ type: "message", text: `filler ${i}`, id: crypto.randomUUID() });
      await sam.nextMessage((m) => m.text === "filler 65", 20_000);
    } finally {
      sam?.close(1000);
    }
    await waitShown(bob.page, "filler 65");
    await pickFromMenu(bob.page, actions(bob.page, "ship on monday", "alice"), "Reply");
    await say(bob.page, "monday works for me");

    const carol = await person({ name: "carol" });
    await enterRoom(carol, room);
    const c = carol.page;
    const quote = messageItem(c, "monday works").getByRole("button", { name: "In reply to alice: the plan: ship on monday" });
    await quote.waitFor();
    await expect(c.locator(`li[data-seq="${original}"]`).count()).resolves.toBe(0);
    await quote.click();
    await messageItem(c, "ship on monday").and(c.locator(".flash")).waitFor();
    await until(() => inViewAndFocused(c, original), "the original in view with the focus");
    // Older history came in between, in order.
    await expect(messageItem(c, /^filler 1$/).count()).resolves.toBe(1);
  });
});

describe("reactions", () => {
  it("reacts from the picker by keyboard; chips count for everyone and toggle each person's own, also for a newcomer and after a reload", async () => {
    const room = uniqueRoom("react");
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    const a = alice.page;
    const b = bob.page;
    await say(a, "we shipped it!");
    await waitShown(b, "we shipped it");

    // Keyboard only: the menu's React opens the picker on its first emoji; arrows move, Enter picks.
    await pickFromMenu(a, actions(a, "we shipped", "you"), "React");
    const picker = a.getByRole("menu", { name: "React" });
    await picker.waitFor();
    await expect(picker.getByRole("menuitemcheckbox").allTextContents()).resolves.toEqual(["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀"]);
    await expect(activeText(a)).resolves.toBe("👍");
    await a.keyboard.press("ArrowRight");
    await expect(activeText(a)).resolves.toBe("❤️");
    // Down and Up go a row of the grid (four to a row), not one emoji.
    await a.keyboard.press("ArrowDown");
    await expect(activeText(a)).resolves.toBe("😢");
    await a.keyboard.press("ArrowDown");
    await expect(activeText(a)).resolves.toBe("👀");
    await a.keyboard.press("ArrowUp");
    await expect(activeText(a)).resolves.toBe("🎉");
    // At an edge it stops there.
    await a.keyboard.press("ArrowUp");
    await expect(activeText(a)).resolves.toBe("👍");
    await a.keyboard.press("Enter");
    await expect(activeLabel(a)).resolves.toBe("Actions for the message from you");
    await waitChips(a, "we shipped", ["👍 1 (mine)"]);
    await waitChips(b, "we shipped", ["👍 1"]);
    await messageItem(b, "we shipped").getByRole("button", { name: "👍 1 reaction; press to add yours" }).waitFor();

    // Escape closes the picker and gives the focus back to the menu button.
    await pickFromMenu(a, actions(a, "we shipped", "you"), "React");
    await expect(picker.getByRole("menuitemcheckbox", { name: "👍" }).getAttribute("aria-checked")).resolves.toBe("true");
    await a.keyboard.press("Escape");
    await picker.waitFor({ state: "hidden" });
    await expect(activeLabel(a)).resolves.toBe("Actions for the message from you");

    // Bob's press adds his; again takes it back.
    await messageItem(b, "we shipped").getByRole("button", { name: /^👍 1/ }).click();
    await waitChips(b, "we shipped", ["👍 2 (mine)"]);
    await waitChips(a, "we shipped", ["👍 2 (mine)"]);
    await messageItem(b, "we shipped").getByRole("button", { name: "👍 2 reactions, including yours; press to take yours back" }).waitFor();
    await messageItem(b, "we shipped").getByRole("button", { name: /^👍 2/ }).click();
    await waitChips(b, "we shipped", ["👍 1"]);
    await waitChips(a, "we shipped", ["👍 1 (mine)"]);

    // By mouse from the picker, and a reply for the newcomer to see.
    await actions(b, "we shipped", "alice").click();
    await b.getByRole("menuitem", { name: "React" }).click();
    await b.getByRole("menuitemcheckbox", { name: "🎉" }).click();
    await waitChips(a, "we shipped", ["👍 1 (mine)", "🎉 1"]);
    await waitChips(b, "we shipped", ["👍 1", "🎉 1 (mine)"]);
    await pickFromMenu(b, actions(b, "we shipped", "alice"), "Reply");
    await say(b, "congrats to the whole team");

    // An emoji used in the room joins the picker's common ones.
    const seq = Number(await messageItem(a, "we shipped").getAttribute("data-seq"));
    let sam: TestSocket | undefined;
    try {
      sam = (await joinRoom(suite.server.url, room, "sam")).socket;
      sam.send({ type: "react", seq, emoji: "🦄", on: true });
      await waitChips(a, "we shipped", ["👍 1 (mine)", "🎉 1", "🦄 1"]);
    } finally {
      sam?.close(1000);
    }
    await pickFromMenu(a, actions(a, "congrats", "bob"), "React");
    await a.getByRole("menu", { name: "React" }).getByRole("menuitemcheckbox", { name: "🦄" }).waitFor();
    await a.keyboard.press("Escape");

    // A newcomer sees the counts (none are hers) and the quote.
    const carol = await person({ name: "carol" });
    await enterRoom(carol, room);
    await waitChips(carol.page, "we shipped", ["👍 1", "🎉 1", "🦄 1"]);
    await messageItem(carol.page, "congrats").getByRole("button", { name: "In reply to alice: we shipped it!" }).waitFor();

    // After a reload bob's own reaction is still his (this browser remembers it), alice's hers.
    await b.reload();
    await waitLive(b);
    await waitChips(b, "we shipped", ["👍 1", "🎉 1 (mine)", "🦄 1"]);
    await messageItem(b, "we shipped").getByRole("button", { name: /^🎉 1/ }).click();
    await waitChips(carol.page, "we shipped", ["👍 1", "🦄 1"]);
  });

  it("remembers its own reactions beyond what a welcome replays", async () => {
    const room = uniqueRoom("react-old");
    const alice = await person({ name: "alice" });
    await enterRoom(alice, room);
    const a = alice.page;
    await say(a, "an old message");
    await waitShown(a, "an old message");
    await messageItem(a, "an old message").getByRole("button", { name: "Actions for the message from you" }).click();
    await a.getByRole("menuitem", { name: "React" }).click();
    await a.getByRole("menuitemcheckbox", { name: "👀" }).click();
    await waitChips(a, "an old message", ["👀 1 (mine)"]);
    // 60 events later the reactions event is not in a welcome's replay any more.
    let sam: TestSocket | undefined;
    try {
      sam = (await joinRoom(suite.server.url, room, "sam")).socket;
      for (let i = 1; i <= 60; i++) sam.send({ type: "message", text: `chatter ${i}`, id: crypto.randomUUID() });
      await sam.nextMessage((m) => m.text === "chatter 60", 20_000);
    } finally {
      sam?.close(1000);
    }
    await a.reload();
    await waitLive(a);
    await waitShown(a, "chatter 60");
    // Scrolling back brings the message with its counts; the chip knows it is alice's.
    await a.locator(".scroller").evaluate((s) => (s.scrollTop = 0));
    await waitChips(a, "an old message", ["👀 1 (mine)"]);
  });

  it("says in words when a message has all the different reactions it can take", async () => {
    const room = uniqueRoom("react-max");
    const alice = await person({ name: "alice" });
    await enterRoom(alice, room);
    const a = alice.page;
    await say(a, "pick your favourite");
    await waitShown(a, "pick your favourite");
    const seq = Number(await messageItem(a, "pick your favourite").getAttribute("data-seq"));
    const twenty = ["🦄", "🐙", "🍕", "🚀", "🌈", "🔥", "💯", "✅", "🤖", "🎸", "🌵", "🍩", "🐢", "⚡", "🎯", "🧠", "🍀", "🐝", "🌙", "⭐"];
    let sam: TestSocket | undefined;
    try {
      sam = (await joinRoom(suite.server.url, room, "sam")).socket;
      for (const emoji of twenty) sam.send({ type: "react", seq, emoji, on: true });
      await until(async () => (await chips(a, "pick your favourite")).length === 20, "20 chips");
    } finally {
      sam?.close(1000);
    }
    await pickFromMenu(a, actions(a, "pick your favourite", "you"), "React");
    await a.keyboard.press("Enter"); // 👍, the 21st
    await a.locator(".notice.error", { hasText: "This message already has 20 different reactions: add yours to one of them instead." }).waitFor();
    await expect(chips(a, "pick your favourite")).resolves.toHaveLength(20);
  });
});
