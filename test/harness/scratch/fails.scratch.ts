/**
 * Starts everything a test file can start (wrangler dev, Chromium, the
 * terminal client in a pseudo-terminal), stops none of it, and fails.
 */
import { expect, it } from "vitest";
import { liveProcesses } from "../../../harness/procfs.ts";
import { startWranglerDev } from "../../../harness/wranglerDev.ts";
import { PtyCli } from "../../cli/support.ts";
import { launchChromium } from "../../web/support/browser.ts";
import { reportStarted } from "./started.ts";

it("fails with a server, a browser and a terminal client running", async () => {
  const [server, browser] = await Promise.all([startWranglerDev(), launchChromium()]);
  reportStarted("wrangler dev", server.pid);
  const page = await browser.newPage();
  await page.goto(server.url);
  const cli = new PtyCli(["scratch", "--url", server.url, "--name", "scratch"]);
  reportStarted("script (pty)", cli.child.pid ?? -1);
  await cli.waitLine(/scratch/, 30_000);
  // `script` runs the client in a session of its own, outside its process group.
  for (const p of liveProcesses().filter((p) => p.ppid === cli.child.pid)) reportStarted("parley cli under script", p.pid);
  reportStarted("test worker", process.pid);
  expect("this test").toBe("failing on purpose");
});
