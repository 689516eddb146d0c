/**
 * Screenshots of what people see: the start page, a busy room on a wide
 * screen, in dark mode and on a phone, a crowd (a count, not a list), and
 * moderation (the settings panel, the message and member menus, a kick),
 * replies and reactions (quotes, chips, the picker, the reply bar), search
 * results and mentions, the "New messages" divider.
 * They go to test-results/screenshots/ on every run (look at them when the
 * UI changes); with PARLEY_SCREENSHOTS=docs they replace the ones in
 * docs/screenshots/ that the README shows.
 */
import type { Browser, Page } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join as joinRoom, type TestSocket } from "../support/node.ts";
import { startWranglerDev, type DevServer } from "../../harness/wranglerDev.ts";
import {
  enterRoom,
  launchChromium,
  newPerson,
  say,
  scrollsSideways,
  waitLive,
  waitShown,
  type Person,
  type PersonOptions,
} from "./support/browser.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const OUT = join(ROOT, process.env.PARLEY_SCREENSHOTS === "docs" ? "docs/screenshots" : "test-results/screenshots");

/** The operator's key, which owns every room. */
const OWNER_KEY = "screenshot-operator-key";
let server: DevServer;
let browser: Browser;
const people: Person[] = [];

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  [server, browser] = await Promise.all([startWranglerDev({ vars: { ADMIN_KEY: OWNER_KEY } }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function person(options: PersonOptions): Promise<Person> {
  const p = await newPerson(browser, server.url, options);
  people.push(p);
  return p;
}

async function shot(page: Page, name: string): Promise<void> {
  // Let the last message settle and the caret blink away from the picture.
  await page.evaluate("document.activeElement instanceof HTMLElement && document.activeElement.blur()");
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(OUT, name) });
}

describe("screenshots", () => {
  it("of the start page and of a busy room (wide, dark, phone)", async () => {
    const room = "launch-party";
    const alice = await person({ name: "alice", viewport: { width: 1100, height: 720 } });
    // A private room first, so the start page lists both kinds of recent room.
    await alice.page.goto("/");
    await alice.page.getByRole("button", { name: "Create a private room" }).click();
    await waitLive(alice.page);
    await enterRoom(alice, room);
    const a = alice.page;

    const bob = await person({ name: "bob" });
    const carol = await person({ name: "carol" });
    const dave = await person({ name: "dave" });
    const erin = await person({ name: "erin" });
    await enterRoom(bob, room);
    await say(bob.page, "morning! is the deploy still on for 3pm?");
    await enterRoom(carol, room);
    await say(carol.page, "yes, staging looks good: https://example.com/status");
    await say(alice.page, "great, I'll write the release notes");
    await say(alice.page, "anything you want mentioned?\nI have the rate limit fix and the new browser client so far");
    await enterRoom(erin, room);
    await say(erin.page, "the reconnect work, please. it survived my train ride this morning");
    await enterRoom(dave, room);
    await say(dave.page, "/me brings coffee for everyone");
    await say(bob.page, "/nick robert");
    await erin.page.getByRole("link", { name: /Parley home/ }).click();
    await say(carol.page, "thanks dave!");
    await say(dave.page, "two sugars for robert, as usual");
    await waitShown(a, "two sugars");
    // At typing speed: the typing notice goes out at most every 3 s, and carol has just sent one.
    await carol.page.getByRole("textbox", { name: /^Message/ }).pressSequentially("one more thing", { delay: 250 });
    await a.getByText("carol is typing…").waitFor();
    expect(await a.locator(".member-list li").count()).toBe(4);
    await shot(a, "room.png");

    const night = await person({ name: "frank", colorScheme: "dark", viewport: { width: 1100, height: 720 } });
    await enterRoom(night, room);
    await say(carol.page, "ok, see you all at 3");
    await waitShown(night.page, "see you all at 3");
    await shot(night.page, "room-dark.png");

    const phone = await person({ name: "grace", viewport: { width: 375, height: 740 } });
    await enterRoom(phone, room);
    await say(phone.page, "on my phone, joining from the bus");
    await waitShown(phone.page, "from the bus");
    expect(await scrollsSideways(phone.page)).toBe(false);
    await shot(phone.page, "room-phone.png");

    await a.goto("/");
    await a.getByRole("region", { name: "Recent rooms" }).waitFor();
    await shot(a, "landing.png");

    expect(people.flatMap((p) => p.problems)).toEqual([]);
    await Promise.all(people.map((p) => p.context.close()));
  });

  it("of a crowded room", async () => {
    // CROWD_SIZE is 100 by default: 120 members from Node make a crowd for the price of sockets.
    const room = "town-hall";
    const speakers = ["maria", "sam", "priya", "jonas", "lee"];
    const sockets: TestSocket[] = [];
    try {
      for (let i = 0; i < 115; i++) sockets.push((await joinRoom(server.url, room, `listener-${i + 1}`)).socket);
      for (const name of speakers) sockets.push((await joinRoom(server.url, room, name)).socket);
      const talk = (name: string, text: string, action = false) => {
        const socket = sockets[115 + speakers.indexOf(name)]!;
        socket.send({ type: "message", text, id: crypto.randomUUID(), ...(action ? { action } : {}) });
        return socket.nextMessage((m) => m.text === text);
      };
      // Enough talk that the joins from before it was a crowd scroll out of view.
      await talk("maria", "welcome everyone to the town hall! we'll start in a minute");
      await talk("sam", "hi all, joining from the Lisbon office");
      await talk("priya", "is this being recorded?");
      await talk("maria", "yes, the recording goes up on the wiki afterwards");
      await talk("jonas", "can we get the slides too?");
      await talk("maria", "of course: https://example.com/town-hall/slides");
      await talk("lee", "waves from Seoul", true);
      await talk("sam", "first question: is the office move still planned for spring?");
      await talk("priya", "+1 to that question");
      await talk("maria", "we'll cover it right after the roadmap");

      const alice = await person({ name: "alice", viewport: { width: 1100, height: 720 } });
      await enterRoom(alice, room);
      const a = alice.page;
      await say(a, "hello from the back row");
      await waitShown(a, "hello from the back row");
      await talk("jonas", "the audio is great today");
      await waitShown(a, "the audio is great today");
      await a.locator(".member-list li.crowd-note").waitFor();
      await expect(a.locator(".members h2").textContent()).resolves.toBe("Online (121)");
      await shot(a, "crowd.png");
      expect(alice.problems).toEqual([]);
      await alice.context.close();
    } finally {
      for (const socket of sockets) socket.close(1000);
    }
  });

  it("of replies and reactions: quotes, chips, the picker and the reply bar (light and dark)", async () => {
    const room = "release-day";
    const alice = await person({ name: "alice", viewport: { width: 1100, height: 720 } });
    const bob = await person({ name: "bob" });
    const carol = await person({ name: "carol" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    await enterRoom(carol, room);
    const a = alice.page;
    const item = (page: Page, text: string) => page.locator("li.msg").filter({ has: page.locator(":scope > .text", { hasText: text }) });
    const react = async (page: Page, text: string, emoji: string) => {
      await item(page, text).getByRole("button", { name: /^Actions for the message/ }).click();
      await page.getByRole("menuitem", { name: "React" }).click();
      await page.getByRole("menuitemcheckbox", { name: emoji }).click();
    };
    const reply = async (page: Page, text: string, answer: string) => {
      await item(page, text).getByRole("button", { name: /^Actions for the message/ }).click();
      await page.getByRole("menuitem", { name: "Reply" }).click();
      await say(page, answer);
    };
    await say(a, "v2.4 is out! release notes: https://example.com/releases/2.4");
    await waitShown(bob.page, "v2.4 is out");
    await react(bob.page, "v2.4 is out", "🎉");
    await react(carol.page, "v2.4 is out", "🎉");
    await react(carol.page, "v2.4 is out", "❤️");
    await say(bob.page, "did the search fix make it in?");
    await waitShown(a, "search fix");
    await reply(a, "search fix", "it did, along with the faster reconnects");
    await waitShown(bob.page, "faster reconnects");
    await react(bob.page, "faster reconnects", "🙏");
    await react(a, "v2.4 is out", "🎉");
    await say(carol.page, "the changelog has a typo in the title, I'll fix it");
    await waitShown(a, "typo in the title");
    await reply(bob.page, "typo in the title", "thanks! 👀 on it too");
    await waitShown(a, "on it too");
    await item(a, "v2.4 is out").getByRole("button", { name: /^🎉 3/ }).waitFor();
    await item(a, "faster reconnects").getByRole("button", { name: /^🙏 1/ }).waitFor();
    await item(a, "typo in the title").getByRole("button", { name: /^Actions/ }).click();
    await a.getByRole("menuitem", { name: "Reply" }).click();
    await a.getByRole("textbox", { name: /^Message/ }).fill("great, ");
    await shot(a, "replies-and-reactions.png");

    const night = await person({ name: "dave", colorScheme: "dark", viewport: { width: 1100, height: 720 } });
    await enterRoom(night, room);
    await waitShown(night.page, "on it too");
    await item(night.page, "v2.4 is out").getByRole("button", { name: /^🎉 3/ }).waitFor();
    await item(night.page, "on it too").getByRole("button", { name: /^Actions/ }).click();
    await night.page.getByRole("menuitem", { name: "React" }).click();
    await night.page.getByRole("menu", { name: "React" }).waitFor();
    await night.page.waitForTimeout(150);
    await night.page.screenshot({ path: join(OUT, "reaction-picker-dark.png") });

    // On a phone a long quote and the reply bar shorten to one line each; nothing scrolls sideways.
    await say(carol.page, "also: the download page still links the 2.3 installer for macOS and the checksums file is missing from the mirror list");
    const phone = await person({ name: "erin", viewport: { width: 375, height: 740 } });
    await enterRoom(phone, room);
    await waitShown(phone.page, "checksums file");
    await reply(phone.page, "checksums file", "on it, fixing the mirror list now");
    await waitShown(phone.page, "fixing the mirror list");
    await item(phone.page, "checksums file").getByRole("button", { name: /^Actions/ }).click();
    await phone.page.getByRole("menuitem", { name: "Reply" }).click();
    expect(await scrollsSideways(phone.page)).toBe(false);
    await shot(phone.page, "replies-phone.png");

    expect(people.flatMap((p) => p.problems)).toEqual([]);
  });

  it("of search and mentions: results with the words marked, a mention highlighted (light and dark)", async () => {
    const room = "design-review";
    const alice = await person({ name: "alice", viewport: { width: 1100, height: 720 } });
    const bob = await person({ name: "bob" });
    const carol = await person({ name: "carol" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    await enterRoom(carol, room);
    const a = alice.page;
    await say(bob.page, "the new colour palette is in the figma file, page 3");
    await say(carol.page, "I like the darker palette for the sidebar");
    await say(a, "agreed, the contrast is much better");
    await say(bob.page, "@alice can you check the palette against the contrast checker?");
    await say(carol.page, "and the icons need a second pass");
    await say(bob.page, "thanks @carol, I'll send you the export");
    await waitShown(a, "send you the export");
    await a.locator("li.mention").waitFor();
    await shot(a, "mention.png");

    await a.getByRole("button", { name: "Search messages" }).click();
    await a.getByRole("searchbox", { name: "Search messages" }).fill("palette");
    await a.keyboard.press("Enter");
    await a.getByRole("region", { name: "Search messages" }).getByText("3 messages with “palette”, newest first.").waitFor();
    await shot(a, "search-results.png");

    const night = await person({ name: "dave", colorScheme: "dark", viewport: { width: 1100, height: 720 } });
    await enterRoom(night, room);
    await waitShown(night.page, "send you the export");
    await say(bob.page, "@dave welcome! the palette notes are above");
    await night.page.locator("li.mention").waitFor();
    await night.page.keyboard.press("Control+k");
    await night.page.getByRole("searchbox", { name: "Search messages" }).fill("contrast pal");
    await night.page.keyboard.press("Enter");
    await night.page.locator(".result mark").first().waitFor();
    await shot(night.page, "search-mention-dark.png");

    expect(people.flatMap((p) => p.problems)).toEqual([]);
  });

  it("of the New messages divider where this browser left off", async () => {
    const room = "weekly-sync";
    const alice = await person({ name: "alice", viewport: { width: 1100, height: 720 } });
    const bob = await person({ name: "bob" });
    const carol = await person({ name: "carol" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    await enterRoom(carol, room);
    const a = alice.page;
    await say(bob.page, "agenda for Thursday is in the doc");
    await say(a, "thanks, I'll add the roadmap item");
    await waitShown(a, "add the roadmap item");
    // Alice goes to the start page; the others carry on without her.
    await a.goto("/");
    await say(carol.page, "can we move it to 11?");
    await say(bob.page, "11 works for me");
    await say(carol.page, "great, updated the invite");
    await waitShown(carol.page, "updated the invite");
    await enterRoom(alice, room);
    await waitShown(a, "updated the invite");
    await a.locator(".new-marker", { hasText: "New messages" }).waitFor();
    await shot(a, "unread-divider.png");

    expect(people.flatMap((p) => p.problems)).toEqual([]);
  });

  it("of moderation: the settings panel, the message menu, the member menu and a kick", async () => {
    const created = (await (await fetch(`${server.url}/api/rooms`, { method: "POST" })).json()) as { room: string };
    const room = created.room;
    const alice = await person({ name: "alice", viewport: { width: 1100, height: 720 } });
    const a = alice.page;
    await a.goto(`/r/${room}#owner=${OWNER_KEY}`);
    await waitLive(a);
    const bob = await person({ name: "bob", viewport: { width: 1100, height: 720 } });
    const carol = await person({ name: "carol" });
    await enterRoom(bob, room);
    await enterRoom(carol, room);
    await say(a, "welcome to the book club! this month: The Dispossessed");
    await say(bob.page, "finally! I finished it on the train");
    await say(carol.page, "cheap replica watches https://watches.example/deal");
    await say(bob.page, "hm, that looks like spam");
    await waitShown(a, "looks like spam");

    const spam = a.locator("li.msg", { hasText: "replica watches" });
    await spam.getByRole("button", { name: "Actions for the message from carol" }).click();
    await a.getByRole("menu").waitFor();
    await a.waitForTimeout(150);
    await a.screenshot({ path: join(OUT, "message-menu.png") });
    await a.getByRole("menuitem", { name: "Delete carol's message" }).click();
    await a.locator("li.msg.deleted").waitFor();

    await a.getByRole("button", { name: "Moderate carol" }).click();
    await a.getByRole("menu").waitFor();
    await a.waitForTimeout(150);
    await a.screenshot({ path: join(OUT, "member-menu.png") });
    await a.getByRole("menuitem", { name: "Kick…" }).click();
    const form = a.getByRole("form", { name: "Kick carol" });
    await form.getByRole("textbox", { name: "Reason (optional)" }).fill("no ads in the book club, please");
    await form.getByRole("button", { name: "Kick carol" }).click();
    await carol.page.getByRole("alert").filter({ hasText: "An owner removed you" }).waitFor();
    await shot(carol.page, "kicked.png");

    await a.getByRole("button", { name: "Settings" }).click();
    const panel = a.getByRole("region", { name: "Room settings" });
    await panel.getByRole("textbox", { name: "Topic" }).fill("Book club: The Dispossessed");
    await panel.getByRole("combobox", { name: "Slow mode" }).selectOption("10");
    await panel.getByRole("button", { name: "Save settings" }).click();
    await a.getByRole("heading", { level: 1, name: "Book club: The Dispossessed" }).waitFor();
    await panel.getByText("Nobody is banned.").waitFor();
    await shot(a, "settings.png");

    expect(people.flatMap((p) => p.problems)).toEqual([]);
  });
});
