/**
 * Crowds in the browser (Debian's Chromium against a real `wrangler dev`),
 * with CROWD_SIZE 3 so that a handful of members make one. Extra members are
 * plain Node sockets: cheaper than a browser each, and they let the test see
 * the frames the room sends (or does not send).
 *
 * A crowd shows a count instead of names in the members panel, /who and the
 * name form; joins and leaves are not announced, typing is not relayed; chat
 * goes on as usual. Below CROWD_SIZE the names come back.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { join, uniqueRoom, type TestSocket } from "../support/node.ts";
import { browserSuite, enterRoom, say, scrollsSideways, until, waitLive, waitShown } from "./support/browser.ts";

const CROWD_SIZE = 3;
/** The operator's key: owns every room. */
const OWNER_KEY = "crowd-operator-key";
const suite = browserSuite({ vars: { CROWD_SIZE, ADMIN_KEY: OWNER_KEY } });
const person = suite.person;

const CROWD_NOTE = (n: number) => `${n} people are here. Rooms this big show a count, not a list.`;

describe("a crowd", () => {
  it("shows a count instead of names, does not announce joins, leaves or typing, and lists names again when it shrinks", async () => {
    const sockets: TestSocket[] = [];
    try {
      const room = uniqueRoom("crowd");
      const alice = await person({ name: "alice" });
      const a = alice.page;
      await enterRoom(alice, room);
      const carol = await join(suite.server.url, room, "carol");
      sockets.push(carol.socket);
      expect(carol.welcome.crowd).toBeUndefined();
      expect(carol.welcome.members.map((m) => m.name)).toEqual(["alice", "carol"]);

      // Two people: names, and typing goes through.
      await a.locator("li.presence.joined", { hasText: "carol joined" }).waitFor();
      await expect(heading(a)).resolves.toBe("Online (2)");
      await expect(memberNames(a)).resolves.toEqual(["alice (you)", "carol"]);
      await a.getByRole("textbox", { name: /^Message/ }).pressSequentially("hm");
      await carol.socket.next((f) => f.type === "typing" && f.member.name === "alice");
      await a.getByRole("textbox", { name: /^Message/ }).fill("");

      // Bob, the third, makes it a crowd: his welcome says so, alice hears a count.
      const bob = await person({ name: "bob" });
      const b = bob.page;
      await enterRoom(bob, room);
      await expect(carol.socket.nextOf("presence")).resolves.toEqual({ type: "presence", online: 3, crowd: true });
      for (const page of [a, b]) {
        await until(async () => (await heading(page)) === "Online (3)", "Online (3)");
        await expect(crowdNote(page)).resolves.toBe(CROWD_NOTE(3));
        await expect(noteFits(page)).resolves.toBe(true);
        await expect(page.locator(".member-list li[data-member-id]").count()).resolves.toBe(0);
      }

      // A fourth: the count follows.
      const dave = await join(suite.server.url, room, "dave");
      sockets.push(dave.socket);
      expect(dave.welcome).toMatchObject({ crowd: true, online: 4, members: [] });
      for (const page of [a, b]) {
        await until(async () => (await heading(page)) === "Online (4)", "Online (4)");
        await expect(crowdNote(page)).resolves.toBe(CROWD_NOTE(4));
      }

      // /who cannot list a crowd.
      await say(a, "/who");
      await a.locator("li.notice", { hasText: "4 people are here. This room is too big to list everyone." }).waitFor();
      await expect(a.locator("li.notice", { hasText: "Online now" }).count()).resolves.toBe(0);

      // Chat goes both ways, browsers and sockets alike. Bob types first: nobody hears it.
      await b.getByRole("textbox", { name: /^Message/ }).pressSequentially("hello from bob", { delay: 20 });
      await b.getByRole("textbox", { name: /^Message/ }).press("Enter");
      await waitShown(a, "hello from bob");
      await carol.socket.nextMessage((m) => m.text === "hello from bob");
      await say(a, "hello from alice");
      await waitShown(b, "hello from alice");
      dave.socket.send({ type: "message", text: "hello from dave", id: "dave-1" });
      await waitShown(a, "hello from dave");
      await waitShown(b, "hello from dave");
      expect(carol.socket.frames.filter((f) => f.type === "typing" && f.member.name === "bob")).toEqual([]);
      await expect(b.getByText(/is typing…/).count()).resolves.toBe(0);

      // Dave leaves: still a crowd, still a count.
      dave.socket.close(1000);
      await until(async () => (await heading(a)) === "Online (3)", "Online (3) after dave left");
      await expect(crowdNote(a)).resolves.toBe(CROWD_NOTE(3));

      // Bob says goodbye (the home link): two left, and the names are back, the right ones.
      await b.getByRole("link", { name: /Parley home/ }).click();
      await until(async () => (await heading(a)) === "Online (2)", "Online (2) after bob left");
      await expect(memberNames(a)).resolves.toEqual(["alice (you)", "carol"]);
      await expect(a.locator("li.crowd-note").count()).resolves.toBe(0);
      const back = await carol.socket.next((f) => f.type === "presence" && !f.crowd);
      expect(back).toMatchObject({ online: 2, crowd: false });
      expect("members" in back && back.members.map((m) => m.name)).toEqual(["alice", "carol"]);

      // Nothing said who came and went in the crowd.
      const presenceLines = await a.locator("li.presence").allTextContents();
      expect(presenceLines.filter((line) => /\b(bob|dave) (joined|left)\b/.test(line))).toEqual([]);

      // Out of the crowd, leaves are events again.
      carol.socket.close(1000);
      await a.locator("li.presence.left", { hasText: "carol left" }).waitFor();
      await expect(heading(a)).resolves.toBe("Online (1)");
      await expect(memberNames(a)).resolves.toEqual(["alice (you)"]);
    } finally {
      for (const socket of sockets) socket.close(1000);
    }
  });

  it("tells a newcomer how many are here before they pick a name; the note fits a dark phone's panel", async () => {
    const sockets: TestSocket[] = [];
    try {
      const room = uniqueRoom("crowd-gate");
      for (const name of ["ann", "ben", "cat"]) sockets.push((await join(suite.server.url, room, name)).socket);
      const newcomer = await person({ viewport: { width: 375, height: 740 }, colorScheme: "dark" });
      const p = newcomer.page;
      await p.goto(`/r/${room}`);
      await p.locator(".online-now", { hasText: "3 people are here." }).waitFor();
      await expect(p.locator(".online-now").textContent()).resolves.toBe("3 people are here.");
      await p.getByRole("textbox", { name: "Your name" }).fill("dan");
      await p.getByRole("button", { name: "Join" }).click();
      await waitLive(p);
      await until(async () => (await heading(p)) === "Online (4)", "Online (4) for the newcomer");
      await expect(crowdNote(p)).resolves.toBe(CROWD_NOTE(4));
      // On a phone the panel opens from a button; the sentence wraps in it instead of being cut off.
      const toggle = p.getByRole("button", { name: /People online/ });
      await toggle.click();
      await p.locator(".member-list li.crowd-note").waitFor({ state: "visible" });
      await expect(noteFits(p)).resolves.toBe(true);
      await expect(scrollsSideways(p)).resolves.toBe(false);
    } finally {
      for (const socket of sockets) socket.close(1000);
    }
  });

  it("still shows an owner everyone, a page at a time, and says who joins, so nobody lurks unseen", async () => {
    const sockets: TestSocket[] = [];
    try {
      const room = uniqueRoom("crowd-owner");
      for (const name of ["carol", "dave", "erin"]) sockets.push((await join(suite.server.url, room, name)).socket);
      const alice = await person({ name: "alice" });
      const a = alice.page;
      await a.goto(`/r/${room}#owner=${OWNER_KEY}`);
      await waitLive(a);
      await until(async () => (await heading(a)) === "Online (4)", "Online (4)");
      const listed = async () => (await a.locator(".member-list li .name").allTextContents()).sort();
      await until(async () => (await listed()).length === 4, "the owner's list of the crowd");
      expect(await listed()).toEqual(["alice", "carol", "dave", "erin"]);
      await a.getByRole("button", { name: "Moderate dave" }).waitFor();

      sockets.push((await join(suite.server.url, room, "lurker")).socket);
      await a.locator("li.notice", { hasText: "lurker joined" }).waitFor();
      await until(async () => (await listed()).includes("lurker"), "the newcomer listed");
      // A member of the crowd still sees a count.
      const bob = await person({ name: "bob" });
      await enterRoom(bob, room);
      await expect(crowdNote(bob.page)).resolves.toBe(CROWD_NOTE(6));
      await expect(bob.page.locator("li.notice", { hasText: "joined" }).count()).resolves.toBe(0);
    } finally {
      for (const socket of sockets) socket.close(1000);
    }
  });
});

function heading(page: Page): Promise<string> {
  // textContent: the heading is uppercased by CSS, and innerText would say so.
  return page.locator(".members h2").textContent().then((text) => (text ?? "").trim());
}

async function crowdNote(page: Page): Promise<string> {
  return ((await page.locator(".member-list li.crowd-note").textContent()) ?? "").trim();
}

/** The crowd note shows whole: not cut off with an ellipsis. */
function noteFits(page: Page): Promise<boolean> {
  return page.locator(".member-list li.crowd-note").evaluate((note) => note.scrollWidth <= note.clientWidth);
}

function memberNames(page: Page): Promise<string[]> {
  return page.$$eval(".member-list li", (items) => items.map((item) => item.textContent ?? ""));
}
