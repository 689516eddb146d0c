/**
 * Owners, moderation, edits and deletes in the browser (issue 13), in
 * Debian's Chromium against a real `wrangler dev`: an owner link handed
 * over and cleared from the address bar, an owner deleting a message and
 * banning a member while the others watch, editing in place, kicks and
 * refusals explained, the topic naming a private room everywhere, one
 * browser's tabs being one member, and message text that cannot reorder
 * what is around it.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { uniqueRoom } from "../support/node.ts";
import { browserSuite, enterRoom, pickFromMenu, say, scrollsSideways, until, waitLive, waitShown, type Person } from "./support/browser.ts";

/**
 * The operator's key owns every room: the owner link flow is the same with a
 * room's own key (the start page keeps that one; see chat.test.ts).
 */
const OWNER_KEY = "test-operator-key.~!*()'";
const suite = browserSuite({ vars: { ADMIN_KEY: OWNER_KEY } });
const person = suite.person;

/** A private room made through the API, as the start page makes one, and a key that owns it. */
async function createRoom(): Promise<{ room: string; ownerKey: string }> {
  const response = await fetch(`${suite.server.url}/api/rooms`, { method: "POST" });
  expect(response.status).toBe(201);
  const body = (await response.json()) as { room: string };
  return { room: body.room, ownerKey: OWNER_KEY };
}

/** Opens the room through its owner link and waits until live. */
async function enterAsOwner(owner: Person, room: string, ownerKey: string): Promise<void> {
  await owner.page.goto(`/r/${room}#owner=${encodeURIComponent(ownerKey)}`);
  await waitLive(owner.page);
}

/** The confirmed message item whose text contains `text`. */
function messageItem(page: Page, text: string) {
  return page.locator("ol.transcript:not(.pending-list) > li.msg", { hasText: text });
}

/** What a menu button offers (opened and closed again with the keyboard). */
async function menuItems(page: Page, button: ReturnType<Page["getByRole"]>): Promise<string[]> {
  await button.focus();
  await page.keyboard.press("Enter");
  await page.getByRole("menu").waitFor();
  const items = await page.getByRole("menu").getByRole("menuitem").allTextContents();
  await page.keyboard.press("Escape");
  return items;
}

/** The computed unicode-bidi of every element `selector` matches. */
function unicodeBidi(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll(${JSON.stringify(selector)})].map((e) => getComputedStyle(e).unicodeBidi)`);
}

describe("owners", () => {
  it("takes the owner key from an owner link, clears it from the address bar, and sends it only in the join frame", async () => {
    const { room, ownerKey } = await createRoom();
    const alice = await person({ name: "alice" });
    const sent: string[] = [];
    const socketUrls: string[] = [];
    alice.page.on("websocket", (ws) => {
      socketUrls.push(ws.url());
      ws.on("framesent", (frame) => sent.push(String(frame.payload)));
    });
    await enterAsOwner(alice, room, ownerKey);
    const page = alice.page;
    expect(new URL(page.url()).hash).toBe("");
    expect(page.url()).not.toContain(ownerKey);
    await expect(page.evaluate("history.length")).resolves.toBe(2); // about:blank and the room, no entry with the key
    await expect(page.evaluate(`localStorage.getItem("parley.owner.${room}")`)).resolves.toBe(ownerKey);
    const joins = sent.filter((frame) => frame.includes('"type":"join"'));
    expect(joins).toHaveLength(1);
    expect(JSON.parse(joins[0]!)).toMatchObject({ type: "join", ownerKey });
    expect(sent.filter((frame) => frame.includes(ownerKey))).toHaveLength(1);
    for (const url of socketUrls) expect(url).not.toContain(ownerKey);
    // The welcome made alice an owner: she sees the settings and can hand the link on.
    await page.getByRole("button", { name: "Settings" }).click();
    await alice.context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.getByRole("button", { name: "Copy owner link" }).click();
    await until(async () => (await page.evaluate<string>("navigator.clipboard.readText()")).endsWith(`/r/${room}#owner=${ownerKey}`), "the owner link copied");
    // A reload joins as an owner again from what this browser kept.
    await page.reload();
    await waitLive(page);
    await page.getByRole("button", { name: "Settings" }).click();
    // An owner's header and settings fit a phone.
    await page.setViewportSize({ width: 375, height: 740 });
    await page.getByRole("region", { name: "Room settings" }).getByText("Nobody is banned.").waitFor();
    await expect(scrollsSideways(page)).resolves.toBe(false);
  });

  it("lets an owner delete a message and ban a member from the keyboard; the others see it, and the ban list lifts it", async () => {
    const { room, ownerKey } = await createRoom();
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    const carol = await person({ name: "carol" });
    await enterAsOwner(alice, room, ownerKey);
    await enterRoom(bob, room);
    await enterRoom(carol, room);
    const a = alice.page;
    await say(bob.page, "buy cheap watches at https://spam.example");
    await waitShown(a, "cheap watches");
    await waitShown(carol.page, "cheap watches");

    // A member may only reply and react to someone else's message; no member menu and no settings.
    await expect(menuItems(carol.page, messageItem(carol.page, "cheap watches").getByRole("button", { name: "Actions for the message from bob" }))).resolves.toEqual(["Reply", "React", "Copy link"]);
    await expect(carol.page.getByRole("button", { name: /^Moderate / }).count()).resolves.toBe(0);
    await expect(carol.page.getByRole("button", { name: "Settings" }).isHidden()).resolves.toBe(true);

    await pickFromMenu(a, messageItem(a, "cheap watches").getByRole("button", { name: "Actions for the message from bob" }), "Delete bob's message");
    for (const page of [a, bob.page, carol.page]) {
      await messageItem(page, "Message deleted").waitFor();
      await expect(page.getByText("cheap watches").count()).resolves.toBe(0);
    }

    await pickFromMenu(a, a.getByRole("button", { name: "Moderate bob" }), "Ban 1 hour…");
    const form = a.getByRole("form", { name: "Ban bob 1 hour" });
    await form.getByRole("textbox", { name: "Reason (optional)" }).fill("spam");
    await form.getByRole("textbox", { name: "Reason (optional)" }).press("Enter");
    await bob.page.getByRole("alert").filter({ hasText: /You are banned from this room until / }).waitFor();
    await carol.page.locator("li.presence.banned", { hasText: "bob was banned by alice" }).waitFor();
    await until(async () => (await carol.page.locator(".member-list li", { hasText: "bob" }).count()) === 0, "bob gone from the list");
    // Trying again is refused, and said so.
    bob.expected.push(/WebSocket/);
    await bob.page.getByRole("button", { name: "Try again" }).click();
    await bob.page.getByRole("alert").filter({ hasText: /You are banned/ }).waitFor();

    await a.getByRole("button", { name: "Settings" }).click();
    const panel = a.getByRole("region", { name: "Room settings" });
    await panel.getByRole("button", { name: "Unban bob" }).click();
    await panel.getByText("Nobody is banned.").waitFor();
    await bob.page.getByRole("button", { name: "Try again" }).click();
    await waitLive(bob.page);
  });

  it("kicks with a reason the member reads, who may come back", async () => {
    const { room, ownerKey } = await createRoom();
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    await enterAsOwner(alice, room, ownerKey);
    await enterRoom(bob, room);
    await pickFromMenu(alice.page, alice.page.getByRole("button", { name: "Moderate bob" }), "Kick…");
    const form = alice.page.getByRole("form", { name: "Kick bob" });
    await form.getByRole("textbox", { name: "Reason (optional)" }).fill("take a break");
    await form.getByRole("button", { name: "Kick bob" }).click();
    const notice = bob.page.getByRole("alert").filter({ hasText: "An owner removed you from this room." });
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toContain("take a break");
    await bob.page.getByRole("button", { name: "Join again" }).click();
    await waitLive(bob.page);
  });

  it("names a private room by its topic everywhere, and a locked room refuses newcomers with a clear notice", async () => {
    const { room, ownerKey } = await createRoom();
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    await enterAsOwner(alice, room, ownerKey);
    await enterRoom(bob, room);
    const a = alice.page;
    await a.getByRole("button", { name: "Settings" }).click();
    const panel = a.getByRole("region", { name: "Room settings" });
    await panel.getByRole("textbox", { name: "Topic" }).fill("Book club");
    await panel.getByRole("checkbox", { name: "Locked" }).check();
    await panel.getByRole("button", { name: "Save settings" }).click();
    for (const page of [a, bob.page]) {
      await until(async () => (await page.getByRole("heading", { level: 1 }).textContent()) === "Book club", "the topic as the room's name");
      await until(async () => (await page.title()) === "Book club · Parley", "the topic in the tab title");
    }
    await bob.page.goto("/");
    await bob.page.getByRole("region", { name: "Recent rooms" }).getByRole("link", { name: "Book club" }).waitFor();

    const dave = await person({ name: "dave" });
    await dave.page.goto(`/r/${room}`);
    await dave.page.getByRole("alert").filter({ hasText: "This room is locked" }).waitFor();
    // Bob was in it: his session lets him back in.
    await bob.page.goto(`/r/${room}`);
    await waitLive(bob.page);
  });

  it("shows a public room's topic under its name, for everyone", async () => {
    const room = uniqueRoom("topic");
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    await enterAsOwner(alice, room, OWNER_KEY);
    await enterRoom(bob, room);
    await alice.page.getByRole("button", { name: "Settings" }).click();
    const panel = alice.page.getByRole("region", { name: "Room settings" });
    await panel.getByRole("textbox", { name: "Topic" }).fill("Friday standup");
    await panel.getByRole("combobox", { name: "Slow mode" }).selectOption("30");
    await panel.getByRole("button", { name: "Save settings" }).click();
    await bob.page.locator(".room-topic", { hasText: "Friday standup" }).waitFor();
    await expect(bob.page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(`#${room}`);
    await bob.page.locator("li.presence.settings", { hasText: "topic “Friday standup”, slow mode 30 s, open" }).waitFor();
    await expect(bob.page.title()).resolves.toBe(`#${room} · Parley`);
  });

  it("asks for another name when the room already has someone by that name", async () => {
    const room = uniqueRoom("names");
    const bob = await person({ name: "bob" });
    await enterRoom(bob, room);
    const other = await person();
    await other.page.goto(`/r/${room}`);
    const name = other.page.getByRole("textbox", { name: "Your name" });
    await name.fill("BOB");
    await name.press("Enter");
    await other.page.getByText(/already goes by that name/).waitFor();
    await name.fill("robert");
    await name.press("Enter");
    await waitLive(other.page);
  });
});

describe("editing and deleting your own messages", () => {
  it("edits in place from the keyboard, shows (edited) to everyone and after a reload, and deletes", async () => {
    const room = uniqueRoom("edit");
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    const a = alice.page;
    await say(a, "helo everyone");
    await waitShown(bob.page, "helo everyone");
    // Bob may not edit or delete alice's message; his own he may.
    await expect(menuItems(bob.page, messageItem(bob.page, "helo everyone").getByRole("button", { name: "Actions for the message from alice" }))).resolves.toEqual(["Reply", "React", "Copy link"]);

    await pickFromMenu(a, messageItem(a, "helo everyone").getByRole("button", { name: "Actions for the message from you" }), "Edit");
    const box = a.getByRole("textbox", { name: "Edit your message" });
    await expect(box.inputValue()).resolves.toBe("helo everyone");
    await box.fill("hello everyone");
    await box.press("Enter");
    for (const page of [a, bob.page]) {
      await messageItem(page, "hello everyone").locator(".edited").waitFor();
      await expect(messageItem(page, "hello everyone").locator(".text").textContent()).resolves.toBe("hello everyone (edited)");
    }
    // The focus came back to the message's menu button.
    await expect(a.evaluate("document.activeElement?.getAttribute('aria-label')")).resolves.toBe("Actions for the message from you");
    await bob.page.reload();
    await waitLive(bob.page);
    await messageItem(bob.page, "hello everyone").locator(".edited").waitFor();

    // Escape leaves an edit without sending it.
    await pickFromMenu(a, messageItem(a, "hello everyone").getByRole("button", { name: "Actions for the message from you" }), "Edit");
    await a.getByRole("textbox", { name: "Edit your message" }).fill("never sent");
    await a.keyboard.press("Escape");
    await expect(a.getByRole("textbox", { name: "Edit your message" }).count()).resolves.toBe(0);

    await pickFromMenu(a, messageItem(a, "hello everyone").getByRole("button", { name: "Actions for the message from you" }), "Delete");
    await messageItem(bob.page, "Message deleted").waitFor();
    await messageItem(a, "Message deleted").waitFor();
    await expect(bob.page.getByText("never sent").count()).resolves.toBe(0);
  });
});

describe("one browser", () => {
  it("is one member in two tabs: listed once, and its messages are its own in both", async () => {
    const room = uniqueRoom("tabs");
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "bob" });
    await enterRoom(alice, room);
    const second = await alice.context.newPage();
    await second.goto(`/r/${room}`);
    await waitLive(second);
    await enterRoom(bob, room);
    await say(alice.page, "from the first tab");
    await say(second, "from the second tab");
    for (const page of [alice.page, second]) {
      await waitShown(page, "from the second tab");
      await expect(messageItem(page, "from the first tab").getAttribute("class")).resolves.toContain("mine");
      await expect(messageItem(page, "from the second tab").getAttribute("class")).resolves.toContain("mine");
    }
    await waitShown(bob.page, "from the second tab");
    await expect(bob.page.locator(".member-list li").allTextContents()).resolves.toEqual(["alice", "bob (you)"]);
    await expect(alice.page.locator(".member-list li").count()).resolves.toBe(2);
    // Both tabs are still live: neither took the session from the other.
    await waitLive(alice.page);
    await waitLive(second);
    // Leaving in one tab leaves the member in the other.
    await second.getByRole("link", { name: /Parley home/ }).click();
    await say(alice.page, "still here");
    await waitShown(bob.page, "still here");
    await expect(bob.page.locator(".member-list li").allTextContents()).resolves.toEqual(["alice", "bob (you)"]);
    await expect(bob.page.locator("li.presence.left").count()).resolves.toBe(0);
  });
});

describe("text that cannot lie", () => {
  it("isolates each message's direction and shows links without bidi controls and look-alike hosts in punycode", async () => {
    const room = uniqueRoom("bidi");
    const alice = await person({ name: "alice" });
    const bob = await person({ name: "\u05D3\u05E0\u05D9" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    await say(bob.page, "invoice: https://files.example/\u202Egnp.exe and https://\u0440\u0430ypal.com/login");
    const item = messageItem(alice.page, "invoice");
    await item.waitFor();
    const links = item.getByRole("link");
    await expect(links.allTextContents()).resolves.toEqual(["https://files.example/gnp.exe", "https://xn--ypal-43d9g.com/login"]);
    await expect(links.first().getAttribute("href")).resolves.toBe("https://files.example/%E2%80%AEgnp.exe");
    await expect(item.locator(".text").getAttribute("dir")).resolves.toBe("auto");
    // The name (right-to-left) and the text are each isolated: the override stays inside the message.
    await expect(unicodeBidi(alice.page, `li[data-seq="${await item.getAttribute("data-seq")}"] :is(.name, .text)`)).resolves.toEqual(["isolate", "isolate"]);
    await expect(item.locator("bdi.name").textContent()).resolves.toBe("\u05D3\u05E0\u05D9");
    // Text after an override in plain text does not reach the next message.
    await say(bob.page, "evil \u202Eprefix");
    await say(bob.page, "next line");
    await waitShown(alice.page, "next line");
    await expect(unicodeBidi(alice.page, "li.msg .text")).resolves.toEqual(["isolate", "isolate", "isolate"]);
  });
});
