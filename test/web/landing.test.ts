/**
 * Issue 14's polish of the start page and the name screen, as a new person
 * meets them, in Debian's Chromium against a real `wrangler dev`: errors that
 * look and read as errors, no sideways scroll on a phone, the new-room panel
 * from the keyboard, the name's real limit, canonical room addresses and
 * names made of free text, the remembered name offered (not used at once)
 * in a new room, distinct member colours, and what is new in recent rooms.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join as joinPath, resolve } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { join, uniqueRoom } from "../support/node.ts";
import { browserSuite, enterRoom, focused, say, scrollsSideways, until, waitLive, waitShown } from "./support/browser.ts";

const suite = browserSuite();
const SHOTS = resolve(import.meta.dirname, "../../docs/screenshots");
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate("typeof window.axe !== 'undefined'"))) await page.evaluate(AXE);
  return page.evaluate<string[]>(`axe.run(document, { resultTypes: ["violations"] }).then((r) =>
    r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))`);
}

/** The computed text colour of the first element matching `selector`. */
function colorOf(page: Page, selector: string): Promise<string> {
  return page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).color`);
}

describe("form errors", () => {
  for (const scheme of ["light", "dark"] as const) {
    it(`look and read as errors on the start page and the name screen (${scheme})`, async () => {
      const { page } = await suite.person({ colorScheme: scheme });
      const danger = scheme === "light" ? "rgb(180, 35, 24)" : "rgb(255, 156, 146)";
      await page.goto("/");
      const room = page.getByRole("textbox", { name: "Room name" });
      await room.fill("!!!");
      await room.press("Enter");
      const error = page.getByText(/^That is not a room:/);
      await error.waitFor();
      await expect(room.getAttribute("aria-invalid")).resolves.toBe("true");
      const errorId = await error.getAttribute("id");
      await expect(room.getAttribute("aria-describedby")).resolves.toContain(errorId);
      await expect(colorOf(page, `#${errorId}`)).resolves.toBe(danger);
      await expect(focused(page)).resolves.toMatchObject({ tag: "INPUT" });
      if (scheme === "light") await page.screenshot({ path: joinPath(SHOTS, "landing-error.png") });
      // Fixing it clears it.
      await room.pressSequentially("a");
      await error.waitFor({ state: "hidden" });
      await expect(room.getAttribute("aria-invalid")).resolves.toBeNull();

      await page.goto(`/r/${uniqueRoom("errors")}`);
      const name = page.getByRole("textbox", { name: "Your name" });
      await name.fill("   ");
      await name.press("Enter");
      const nameError = page.getByText(/^That name does not work:/);
      await nameError.waitFor();
      await expect(name.getAttribute("aria-invalid")).resolves.toBe("true");
      await expect(name.getAttribute("aria-describedby")).resolves.toContain(await nameError.getAttribute("id"));
      await expect(colorOf(page, `#${await nameError.getAttribute("id")}`)).resolves.toBe(danger);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: joinPath(SHOTS, `name-gate-error${scheme === "dark" ? "-dark" : ""}.png`) });
      await name.fill("carol");
      await expect(name.getAttribute("aria-invalid")).resolves.toBeNull();
    });
  }

  it("limits the name field to the server's NAME_MAX (32)", async () => {
    const { page } = await suite.person();
    await page.goto(`/r/${uniqueRoom("maxlength")}`);
    await expect(page.getByRole("textbox", { name: "Your name" }).getAttribute("maxlength")).resolves.toBe("32");
  });
});

describe("a phone's width", () => {
  for (const width of [320, 375]) {
    it(`shows the start page at ${width} px without sideways scroll and with even margins`, async () => {
      const alice = await suite.person({ name: "alice", viewport: { width, height: 720 } });
      await enterRoom(alice, `a-rather-long-room-name-to-list-${width}`);
      const { page } = alice;
      await page.goto("/");
      await page.getByRole("region", { name: "Recent rooms" }).waitFor();
      expect(await scrollsSideways(page)).toBe(false);
      const join = await page.getByRole("button", { name: "Join", exact: true }).boundingBox();
      expect(join!.x + join!.width).toBeLessThanOrEqual(width);
      // Nothing sticks out of its card (the big Create button wraps).
      const outside = await page.evaluate<string[]>(`[...document.querySelectorAll(".card *")].filter((e) => {
        const r = e.getBoundingClientRect(), c = e.closest(".card").getBoundingClientRect();
        return r.width > 0 && (r.right > c.right + 0.5 || r.left < c.left - 0.5);
      }).map((e) => e.tagName + "." + e.className)`);
      expect(outside).toEqual([]);
      for (const card of await page.locator("main.landing > .card").all()) {
        const box = (await card.boundingBox())!;
        expect(Math.abs(box.x - (width - box.x - box.width)), `margins at ${width}`).toBeLessThanOrEqual(1);
      }
      await page.screenshot({ path: joinPath(SHOTS, `landing-${width}.png`), fullPage: true });
    });
  }

  it("shows the start page on a desktop", async () => {
    const alice = await suite.person({ name: "alice" });
    await enterRoom(alice, "lobby");
    await alice.page.goto("/");
    await alice.page.getByRole("region", { name: "Recent rooms" }).waitFor();
    expect(await seriousViolations(alice.page)).toEqual([]);
    await alice.page.screenshot({ path: joinPath(SHOTS, "landing-desktop.png"), fullPage: true });
  });
});

describe("the new-room panel", () => {
  it("closes with Done or Escape, gives the focus back, and is named as it reads", async () => {
    const { page } = await suite.person({ name: "alice" });
    for (const how of ["Done", "Escape"] as const) {
      await page.goto("/");
      await page.getByRole("button", { name: "Create a private room" }).click();
      await page.waitForURL(/\/r\/[0-9a-f]{64}$/);
      await waitLive(page);
      const panel = page.getByRole("region", { name: "Your private room is ready" });
      const done = panel.getByRole("button", { name: "Done" });
      await expect(done.textContent()).resolves.toBe("Done");
      if (how === "Done") expect(await seriousViolations(page)).toEqual([]);
      // From the message box into the panel.
      await page.getByRole("textbox", { name: /^Message/ }).focus();
      await panel.getByRole("textbox", { name: "Room link" }).focus();
      if (how === "Done") {
        await done.focus();
        await page.keyboard.press("Enter");
      } else {
        await page.keyboard.press("Escape");
      }
      await panel.waitFor({ state: "detached" });
      await expect(focused(page)).resolves.toMatchObject({ tag: "TEXTAREA" });
    }
  });
});

describe("room addresses", () => {
  it("puts the canonical /r/lobby in the address bar for /r/LOBBY, keeping the fragment", async () => {
    // A name of its own: the lobby is shared by every test of this file's server.
    const alice = await suite.person({ name: "lena" });
    await alice.page.goto("/r/LOBBY?x=1#top");
    await waitLive(alice.page);
    const url = new URL(alice.page.url());
    expect([url.pathname, url.search, url.hash]).toEqual(["/r/lobby", "?x=1", "#top"]);
    await expect(alice.page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("#lobby");
  });

  it('opens "Book Club" as #book-club, saying so before', async () => {
    const alice = await suite.person({ name: "bea" });
    const { page } = alice;
    await page.goto("/");
    const input = page.getByRole("textbox", { name: "Room name" });
    await input.fill("Book Club");
    await page.getByText("Opens #book-club").waitFor();
    await input.press("Enter");
    await page.waitForURL(/\/r\/book-club$/);
    await waitLive(page);
  });
});

describe("the remembered name", () => {
  it("is offered, not used at once, in a room this browser has not joined; a joined room is rejoined directly", async () => {
    const room = uniqueRoom("offer");
    const alice = await suite.person({ name: "alice", takesOfferedName: false });
    const { page } = alice;
    await page.goto(`/r/${room}`);
    const name = page.getByRole("textbox", { name: "Your name" });
    await name.waitFor();
    await expect(name.inputValue()).resolves.toBe("alice");
    await expect(page.evaluate("document.activeElement?.getAttribute('autocomplete')")).resolves.toBe("nickname");
    // Nobody joined while the form waits.
    const info = (await (await fetch(`${suite.server.url}/api/rooms/${room}`)).json()) as { online: number };
    expect(info.online).toBe(0);
    await page.keyboard.press("Enter");
    await waitLive(page);
    // Back again: this browser is a member here, so it rejoins without asking.
    await page.reload();
    await waitLive(page);
    expect(await name.count()).toBe(0);

    // Another new room: the person picks another name for it.
    await page.goto(`/r/${uniqueRoom("offer-other")}`);
    await name.waitFor();
    await page.keyboard.type("ally"); // the offered name is selected: typing replaces it
    await page.keyboard.press("Enter");
    await waitLive(page);
    await page.locator(".members", { hasText: "ally (you)" }).waitFor();
  });
});

describe("member colours", () => {
  it("differ for tina and otto", async () => {
    const room = uniqueRoom("colours");
    const tina = await suite.person({ name: "tina" });
    await enterRoom(tina, room);
    const otto = await join(suite.server.url, room, "otto");
    try {
      otto.socket.send({ type: "message", text: "hi tina", id: "otto-1" });
      await waitShown(tina.page, "hi tina");
      await say(tina.page, "hi otto");
      await waitShown(tina.page, "hi otto");
      const colour = (text: string) =>
        tina.page.evaluate<string>(
          `getComputedStyle([...document.querySelectorAll("li.msg")].find((li) => li.textContent.includes(${JSON.stringify(text)})).querySelector(".name")).color`,
        );
      const [ottos, tinas] = [await colour("hi tina"), await colour("hi otto")];
      expect(ottos).toMatch(/^rgb/);
      expect(ottos).not.toBe(tinas);
    } finally {
      otto.socket.close();
    }
  });
});

describe("recent rooms", () => {
  it('say "2 new" after someone posts 2 messages while you are away, and nothing when nothing is new', async () => {
    const room = uniqueRoom("badge");
    const quiet = uniqueRoom("quiet");
    const bob = await join(suite.server.url, room, "bob");
    try {
      const alice = await suite.person({ name: "alice" });
      await enterRoom(alice, quiet);
      await enterRoom(alice, room);
      await alice.page.locator(".members", { hasText: "bob" }).waitFor();
      await alice.page.goto("/");
      // Alice's departure is recorded (by the room) once her page has gone.
      await until(async () => ((await (await fetch(`${suite.server.url}/api/rooms/${room}`)).json()) as { online: number }).online === 1, "alice gone");
      for (const n of [1, 2]) bob.socket.send({ type: "message", text: `while away ${n}`, id: `away-${n}` });
      await bob.socket.until(() => bob.socket.frames.filter((f) => f.type === "message").length === 2, "both messages stored");
      await alice.page.reload();
      const recent = alice.page.getByRole("region", { name: "Recent rooms" });
      const link = recent.getByRole("link", { name: `#${room} (2 new since your last visit)` });
      await link.waitFor();
      await expect(link.locator('.new-badge [aria-hidden="true"]').textContent()).resolves.toBe("2 new");
      // A room where nothing happened since shows no badge.
      const quietLink = recent.getByRole("link", { name: `#${quiet}`, exact: true });
      await quietLink.waitFor();
      await expect(quietLink.locator(".new-badge").isVisible()).resolves.toBe(false);
      expect(await seriousViolations(alice.page)).toEqual([]);
      await alice.page.screenshot({ path: joinPath(SHOTS, "landing-new-badge.png") });
    } finally {
      bob.socket.close();
    }
  });

  it("shows no badge and no error when the rooms cannot be asked (offline)", async () => {
    const alice = await suite.person({ name: "alice" });
    const room = uniqueRoom("offline");
    await enterRoom(alice, room);
    alice.expected.push(/net::ERR_INTERNET_DISCONNECTED/);
    // The page is served; the rooms' API is out of reach.
    await alice.page.route(`**/api/rooms/${room}`, (route) => route.abort("internetdisconnected"));
    const asked = alice.page.waitForRequest((request) => request.url().endsWith(`/api/rooms/${room}`));
    await alice.page.goto("/");
    await asked;
    const link = alice.page.getByRole("region", { name: "Recent rooms" }).getByRole("link", { name: `#${room}`, exact: true });
    await link.waitFor();
    await alice.page.evaluate("new Promise((r) => setTimeout(r, 0))"); // the failed answer's handler has run
    await expect(link.locator(".new-badge").isVisible()).resolves.toBe(false);
  });
});
