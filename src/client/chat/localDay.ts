/**
 * Calendar days in the reader's time zone: both apps separate the transcript
 * by day, and must agree on where one ends.
 */

/** The local calendar day of a timestamp, as a key that compares equal within one day. */
export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}
