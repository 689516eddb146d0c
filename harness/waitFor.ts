/**
 * Polls `condition` every 25 ms; rejects after `timeoutMs`, naming `what` it
 * waited for and, when given, what `explain` says of the state it ended in.
 */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string, explain?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain ? `: ${explain()}` : ""}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
