/**
 * Quieter presence and light formatting in the browser (issue 14), in
 * Debian's Chromium against a real `wrangler dev`: **bold**, _italic_,
 * `code`, fenced blocks and links as elements built from text (markup in a
 * message stays text); a long message collapsed with "Show more", opened
 * and closed by keyboard; a run of joins and leaves as one line, updated
 * live, split by a message, said once to a screen reader, and joined up
 * with the older page when scrolling back. axe finds nothing serious.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join as joinPath, resolve } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { join as joinRoom, uniqueRoom, type TestSocket } from "../support/node.ts";
import { browserSuite, enterRoom, expectGapFree, until, waitShown } from "./support/browser.ts";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const SHOTS = resolve(import.meta.dirname, "../../docs/screenshots");

// Node sockets post and join quickly: the per-connection pace is raised for them.
const suite = browserSuite({ vars: { RATE_BURST: 1000, RATE_PER_SECOND: 1000 } });

/** The confirmed message item whose own text contains `text`. */
function messageItem(page: Page, text: string) {
  return page.locator("ol.transcript:not(.pending-list) > li.msg").filter({ has: page.locator(":scope > .text", { hasText: text }) });
}

/** The lines shown for joins and leaves, top to bottom. */
function presenceLines(page: Page): Promise<string[]> {
  return page.$$eval("ol.transcript:not(.pending-list) > li.presence:not([hidden]) > .text", (lines) => lines.map((l) => l.textContent ?? ""));
}

async function waitPresenceLines(page: Page, expected: string[]): Promise<void> {
  let last: string[] = [];
  await until(async () => JSON.stringify((last = await presenceLines(page))) === JSON.stringify(expected), `lines ${expected.join(" | ")} (last: ${last.join(" | ")})`);
}

async function seriousViolations(page: Page): Promise<{ id: string; nodes: string[] }[]> {
  if (!(await page.evaluate("typeof window.axe !== 'undefined'"))) await page.evaluate(AXE);
  const violations = await page.evaluate<{ id: string; impact: string | null; nodes: string[] }[]>(`axe.run(document, { resultTypes: ["violations"] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) })))`);
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

async function post(socket: TestSocket, text: string, id: string): Promise<void> {
  socket.send({ type: "message", text, id });
  await socket.nextMessage((m) => m.id === id);
}

const FORMATTED = [
  "**bold** and _italic_ and `code`, see www.example.com/docs",
  "```js",
  "const ok = 1 < 2 && a_b_c;",
  "```",
  "<script>alert(1)</script> <img src=x onerror=alert(2)> snake_case_stays",
].join("\n");

const LONG = Array.from({ length: 30 }, (_, i) => `line ${i + 1} of a long message`).join("\n");

describe("light formatting", () => {
  it("renders bold, italic, code, a fence and a link as elements; markup stays text", async () => {
    const room = uniqueRoom("fmt");
    const { socket } = await joinRoom(suite.server.url, room, "bob");
    const alice = await suite.person({ name: "alice" });
    await enterRoom(alice, room);
    const a = alice.page;
    await post(socket, FORMATTED, "f1");
    await waitShown(a, "snake_case_stays");
    const body = messageItem(a, "snake_case_stays").locator(":scope > .text");

    await expect(body.locator("strong").allTextContents()).resolves.toEqual(["bold"]);
    await expect(body.locator("em").allTextContents()).resolves.toEqual(["italic"]);
    await expect(body.locator(":scope > code").allTextContents()).resolves.toEqual(["code"]);
    await expect(body.locator("pre > code").allTextContents()).resolves.toEqual(["const ok = 1 < 2 && a_b_c;"]);
    await expect(body.locator("pre").getAttribute("dir")).resolves.toBe("ltr");
    const links = await body.locator("a").evaluateAll((anchors) =>
      anchors.map((x) => ({ text: x.textContent, href: x.getAttribute("href"), rel: x.getAttribute("rel"), target: x.getAttribute("target") })),
    );
    expect(links).toEqual([{ text: "www.example.com/docs", href: "https://www.example.com/docs", rel: "noopener noreferrer nofollow", target: "_blank" }]);
    // Markup is text; markers are gone, words with underscores are kept.
    await expect(a.locator("ol.transcript").locator("script, img").count()).resolves.toBe(0);
    const shown = await body.textContent();
    expect(shown).toContain("<script>alert(1)</script> <img src=x onerror=alert(2)> snake_case_stays");
    expect(shown).not.toContain("**");
    // Short: no "Show more".
    await expect(messageItem(a, "snake_case_stays").locator(".more").isVisible()).resolves.toBe(false);
    expect(await seriousViolations(a)).toEqual([]);
    socket.close(1000);
  });

  it("collapses a long message; Show more opens it and Show less closes it, by keyboard", async () => {
    const room = uniqueRoom("long");
    const { socket } = await joinRoom(suite.server.url, room, "bob");
    const alice = await suite.person({ name: "alice" });
    await enterRoom(alice, room);
    const a = alice.page;
    // Eleven short lines fit in the collapsed height: no button.
    await post(socket, Array.from({ length: 11 }, (_, i) => `short ${i + 1}`).join("\n"), "s1");
    await post(socket, LONG, "l1");
    await waitShown(a, "line 30 of a long message");
    await expect(messageItem(a, "short 11").locator(".more").isVisible()).resolves.toBe(false);

    const item = messageItem(a, "line 30 of a long message");
    const more = item.getByRole("button", { name: "Show more" });
    await more.waitFor();
    const overflow = () => item.locator(":scope > .text").evaluate((el) => el.scrollHeight - el.clientHeight);
    expect(await overflow()).toBeGreaterThan(100);
    await expect(more.getAttribute("aria-expanded")).resolves.toBe("false");
    await expect(more.getAttribute("aria-controls")).resolves.toBe(await item.locator(":scope > .text").getAttribute("id"));

    await more.focus();
    await a.keyboard.press("Enter");
    const less = item.getByRole("button", { name: "Show less" });
    await expect(less.getAttribute("aria-expanded")).resolves.toBe("true");
    expect(await overflow()).toBeLessThanOrEqual(2);
    await expect(a.evaluate("document.activeElement?.textContent")).resolves.toBe("Show less");
    expect(await seriousViolations(a)).toEqual([]);

    await a.keyboard.press("Space");
    await expect(more.getAttribute("aria-expanded")).resolves.toBe("false");
    expect(await overflow()).toBeGreaterThan(100);
    socket.close(1000);
  });
});

describe("quieter presence", () => {
  it("shows a run of joins and leaves as one line, updated live and split by a message; a screen reader hears it once", async () => {
    const room = uniqueRoom("runs");
    const { socket: host } = await joinRoom(suite.server.url, room, "host");
    const alice = await suite.person({ name: "alice" });
    await enterRoom(alice, room);
    const a = alice.page;
    await waitPresenceLines(a, ["host and alice joined"]);
    await post(host, "welcome, everyone", "w1");
    await waitShown(a, "welcome, everyone");

    const people: Record<string, TestSocket> = {};
    for (const name of ["ann", "ben", "cat", "dan", "eve"]) people[name] = (await joinRoom(suite.server.url, room, name)).socket;
    await waitPresenceLines(a, ["host and alice joined", "ann, ben and 3 others joined"]);
    // Said as one sentence (two at most if this machine is slow), not five.
    let said: string[] = [];
    await until(async () => (said = await a.getByTestId("announcer").locator("p").allTextContents()).some((t) => t.includes("eve")), "eve spoken");
    const spoken = said.filter((t) => / joined$/.test(t));
    expect(spoken.length).toBeLessThanOrEqual(2);
    if (spoken.length === 1) expect(spoken).toEqual(["ann, ben and 3 others joined"]);

    people.dan!.close(1000);
    people.eve!.close(1000);
    await waitPresenceLines(a, ["host and alice joined", "ann, ben and cat joined; dan and eve came and went"]);
    await expect(a.locator("li.presence.joined.left").count()).resolves.toBe(1);

    // A message ends the run: the next leaves are a new line.
    await post(host, "see you **all** on `friday`, _notes_ at www.example.com/notes\n```\nagenda: 1. intro  2. demo  3. questions\n```", "w2");
    await waitShown(a, "see you all");
    people.ann!.close(1000);
    people.ben!.close(1000);
    await waitPresenceLines(a, ["host and alice joined", "ann, ben and cat joined; dan and eve came and went", "ann and ben left"]);
    await post(host, LONG, "w3");
    await waitShown(a, "line 30 of a long message");
    await messageItem(a, "line 30").getByRole("button", { name: "Show more" }).waitFor();
    // Every event is still listed once, in order (the rest of a run as hidden items).
    await expectGapFree(a);
    expect(await seriousViolations(a)).toEqual([]);
    await a.screenshot({ path: joinPath(SHOTS, "formatting-and-presence.png") });

    // A reload replays the history: the same lines.
    await a.reload();
    await waitShown(a, "line 30 of a long message");
    await until(async () => (await presenceLines(a)).slice(0, 3).join("|") === "host and alice joined|ann, ben and cat joined; dan and eve came and went|ann and ben left", "the same lines after a reload");
    for (const socket of [host, people.cat!]) socket.close(1000);
  });

  it("joins a run split across pages of history into one line when scrolling back", async () => {
    const room = uniqueRoom("seam");
    // 30 members come and go: 60 events, more than the welcome's page of 50.
    for (let i = 1; i <= 30; i++) {
      const { socket } = await joinRoom(suite.server.url, room, `p${i}`);
      socket.close(1000);
      await socket.waitClosed();
    }
    const alice = await suite.person({ name: "alice" });
    await enterRoom(alice, room);
    const a = alice.page;
    await until(async () => (await presenceLines(a)).length === 1, "one line");
    // The welcome brings the newest 50 (the run starts above them); the short page asks for the rest at once.
    // Scrolled back to the beginning: still one line, now with everyone.
    const scroller = a.getByRole("region", { name: "Conversation" });
    await until(async () => {
      await scroller.evaluate((el) => (el.scrollTop = 0));
      return a.locator(".older").isHidden();
    }, "all history loaded");
    await waitPresenceLines(a, ["p1, p2 and 28 others came and went; alice joined"]);
    const seqs = await expectGapFree(a);
    expect(seqs.length).toBe(61);
  });
});
