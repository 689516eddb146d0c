/** Starts wrangler dev and waits to be interrupted (cleanup.test.ts signals once it is reported). */
import { it } from "vitest";
import { startWranglerDev } from "../../../harness/wranglerDev.ts";
import { reportStarted } from "./started.ts";

it("is interrupted with a server running", async () => {
  const server = await startWranglerDev();
  reportStarted("wrangler dev", server.pid);
  reportStarted("test worker", process.pid);
  await new Promise((resolve) => setTimeout(resolve, 50_000));
  throw new Error("was not interrupted");
});
