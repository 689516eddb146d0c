/**
 * The accessibility engine (axe-core, injected into the page) on what
 * people see: no serious or critical violation on the start page, nor on a
 * room page with its message menu, member menu and settings panel open,
 * nor with replies, reaction chips, the reaction picker and the reply bar,
 * nor with the search panel's results, a mention and the mention bell,
 * nor with the "New messages" divider and a message held back ("Slow down").
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

  it("finds nothing serious with a reply's quote, reaction chips, the reaction picker and the reply bar", async () => {
    const room = `a11y-replies-${Date.now()}`;
    const alice = await suite.person({ name: "alice" });
    const bob = await suite.person({ name: "bob" });
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    const a = alice.page;
    const item = (text: string) => a.locator("li.msg").filter({ has: a.locator(":scope > .text", { hasText: text }) });
    await say(bob.page, "shall we meet at noon?");
    await waitShown(a, "meet at noon");
    await item("meet at noon").getByRole("button", { name: "Actions for the message from bob" }).click();
    await a.getByRole("menuitem", { name: "Reply" }).click();
    await say(a, "noon works");
    await item("noon works").getByRole("button", { name: "In reply to bob: shall we meet at noon?" }).waitFor();
    await item("meet at noon").getByRole("button", { name: "Actions for the message from bob" }).click();
    await a.getByRole("menuitem", { name: "React" }).click();
    await a.getByRole("menuitemcheckbox", { name: "👍" }).click();
    await item("meet at noon").getByRole("button", { name: /^👍 1 reaction, including yours/ }).waitFor();
    // The reply bar open, then the picker open.
    await item("noon works").getByRole("button", { name: "Actions for the message from you" }).click();
    await a.getByRole("menuitem", { name: "Reply" }).click();
    await a.getByRole("button", { name: "Cancel reply" }).waitFor();
    expect(await seriousViolations(a)).toEqual([]);
    await item("meet at noon").getByRole("button", { name: "Actions for the message from bob" }).click();
    await a.getByRole("menuitem", { name: "React" }).click();
    await a.getByRole("menu", { name: "React" }).waitFor();
    expect(await seriousViolations(a)).toEqual([]);
  });

  it("finds nothing serious with the search panel and its results open, a mention, and the bell on", async () => {
    const room = `a11y-search-${Date.now()}`;
    const alice = await suite.person({ name: "alice" });
    const bob = await suite.person({ name: "bob" });
    await alice.context.grantPermissions(["notifications"]);
    await enterRoom(alice, room);
    await enterRoom(bob, room);
    const a = alice.page;
    await say(bob.page, "@alice the cake recipe is on the wiki");
    await waitShown(a, "cake recipe");
    await a.locator("li.mention").waitFor();
    await a.getByRole("button", { name: "Notify me when mentioned" }).click();
    await a.locator('[aria-pressed="true"]').waitFor();
    await a.getByRole("button", { name: "Search messages" }).click();
    await a.getByRole("searchbox", { name: "Search messages" }).fill("cake");
    await a.keyboard.press("Enter");
    await a.locator(".result mark").waitFor();
    expect(await seriousViolations(a)).toEqual([]);
  });

  it("finds nothing serious with the New messages divider and a message held back by the pace", async () => {
    const alice = await suite.person({ name: "alice" });
    const bob = await suite.person({ name: "bob" });
    await enterRoom(alice, "a11y-unread");
    await enterRoom(bob, "a11y-unread");
    await say(alice.page, "back in a bit");
    await waitShown(alice.page, "back in a bit");
    await alice.page.goto("/");
    await say(bob.page, "while you were out");
    await waitShown(bob.page, "while you were out");
    await enterRoom(alice, "a11y-unread");
    const a = alice.page;
    await a.locator(".new-marker", { hasText: "New messages" }).waitFor();
    await a.evaluate(`(() => {
      const box = document.querySelector(".composer textarea");
      for (let i = 1; i <= 16; i++) {
        box.value = "burst " + i;
        box.form.requestSubmit();
      }
    })()`);
    await a.locator(".pending-status", { hasText: "Slow down" }).first().waitFor();
    expect(await seriousViolations(a)).toEqual([]);
  });
});
