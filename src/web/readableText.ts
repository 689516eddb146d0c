/**
 * Text as people read it in the browser: times and dates in their own locale
 * and zone, how long ago, message lengths as the room counts them, who is
 * typing. (The terminal writes fixed-width English instead: src/cli/terminalText.ts.)
 */
import { dayKey } from "../client/chat/localDay.ts";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric" });
const yearDayFormat = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "long", day: "numeric" });

/** The time of day the way the reader's locale writes it: "09:05", "9:05 AM". */
export function localeTime(ts: number): string {
  return timeFormat.format(ts);
}

/** The full date and time in the reader's locale (a message's tooltip). */
export function localeDateTime(ts: number): string {
  return dateTimeFormat.format(ts);
}

/** A day heading: "Today", "Yesterday", "Monday, March 3", or with the year when it is not this year. */
export function dayHeading(ts: number, now = Date.now()): string {
  if (dayKey(ts) === dayKey(now)) return "Today";
  if (dayKey(ts) === dayKey(now - 86_400_000)) return "Yesterday";
  return new Date(ts).getFullYear() === new Date(now).getFullYear() ? dayFormat.format(ts) : yearDayFormat.format(ts);
}

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function timeAgo(ts: number, now = Date.now()): string {
  const minutes = Math.floor((now - ts) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days === 1 ? "yesterday" : `${days} days ago`;
}

/** Code points, as the protocol counts text length. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** The line under the conversation while people type. */
export function typingText(names: readonly string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return `${names.length} people are typing…`;
}
