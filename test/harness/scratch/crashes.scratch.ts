/** Starts wrangler dev, then its worker dies at once (SIGKILL): no handler in it runs. */
import { it } from "vitest";
import { startWranglerDev } from "../../../harness/wranglerDev.ts";
import { reportStarted } from "./started.ts";

it("crashes with a server running", async () => {
  const server = await startWranglerDev();
  reportStarted("wrangler dev", server.pid);
  reportStarted("test worker", process.pid);
  process.kill(process.pid, "SIGKILL");
});
