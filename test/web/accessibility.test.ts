/**
 * The accessibility engine (axe-core, injected into the page) on what
 * people see: no serious or critical violation on the start page, nor on a
 * room page with its message menu, member menu and settings panel open.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserSuite, enterRoom, say, waitLive, waitShown } from "./support/browser.ts";

// Evaluated rather than added as a <script>: the page's CSP (script-src 'self') rightly refuses inline scripts.
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The operator's key owns every room. */
const OWNER_KEY = "test-operator-key";
const suite = browserSuite({ vars: { ADMIN_KEY: OWNER_KEY } });

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe on the page as it is now; the serious and critical violations, with where. */
async function seriousViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate("typeof window.axe !== 'undefined'"))) await page.evaluate(AXE);
  const violations = await page.evaluate<Violation[]>(`axe.run(document, { resultTypes: ["violations"] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) })))`);
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

describe("accessibility (axe-core)", () => {
  it("finds nothing serious on the start page, with recent rooms listed", async () => {
    const alice = await suite.person({ name: "alice" });
    await enterRoom(alice, "a11y-lobby");
    await alice.page.goto("/");
    await alice.page.getByRole("region", { name: "Recent rooms" }).waitFor();
    expect(await seriousViolations(alice.page)).toEqual([]);
  });

  it("finds nothing serious in a room with the message menu, the member menu and the settings panel open", async () => {
    const response = await fetch(`${suite.server.url}/api/rooms`, { method: "POST" });
    const { room } = (await response.json()) as { room: string };
    const alice = await suite.person({ name: "alice" });
    const bob = await suite.person({ name: "bob" });
    await alice.page.goto(`/r/${room}#owner=${OWNER_KEY}`);
    await waitLive(alice.page);
    await enterRoom(bob, room);
    const a = alice.page;
    await say(bob.page, "hello, is this the book club?");
    await say(a, "it is! welcome");
    await waitShown(a, "book club?");
    await waitShown(a, "welcome");
    expect(await seriousViolations(a)).toEqual([]);

    await a.locator("li.msg", { hasText: "book club?" }).getByRole("button", { name: "Actions for the message from bob" }).click();
    await a.getByRole("menu").waitFor();
    expect(await seriousViolations(a)).toEqual([]);
    await a.keyboard.press("Escape");

    await a.getByRole("button", { name: "Moderate bob" }).click();
    await a.getByRole("menuitem", { name: "Ban 1 day…" }).click();
    await a.getByRole("form", { name: "Ban bob 1 day" }).waitFor();
    await a.getByRole("button", { name: "Moderate bob" }).click();
    await a.getByRole("menu").waitFor();
    expect(await seriousViolations(a)).toEqual([]);
    await a.keyboard.press("Escape");

    await a.getByRole("button", { name: "Settings" }).click();
    await a.getByRole("region", { name: "Room settings" }).getByText("Nobody is banned.").waitFor();
    expect(await seriousViolations(a)).toEqual([]);

    // A member's own message menu and the edit box, too.
    await bob.page.locator("li.msg", { hasText: "book club?" }).getByRole("button", { name: "Actions for the message from you" }).click();
    await bob.page.getByRole("menuitem", { name: "Edit" }).click();
    await bob.page.getByRole("textbox", { name: "Edit your message" }).waitFor();
    expect(await seriousViolations(bob.page)).toEqual([]);
  });
});
