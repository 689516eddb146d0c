/** How a scratch test file tells cleanup.test.ts what it started: JSON lines appended to $PARLEY_SCRATCH_REPORT. */
import { appendFileSync } from "node:fs";

export interface Started {
  what: string;
  pid: number;
}

export const REPORT_ENV = "PARLEY_SCRATCH_REPORT";

export function reportStarted(what: string, pid: number): void {
  const path = process.env[REPORT_ENV];
  if (!path) throw new Error(`${REPORT_ENV} is not set: scratch files run only under test/harness/cleanup.test.ts`);
  appendFileSync(path, `${JSON.stringify({ what, pid } satisfies Started)}\n`);
}
