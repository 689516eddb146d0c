/**
 * Scroll-back: the events before the oldest one shown, fetched in pages the
 * room accepts. The browser asks for one page as the reader scrolls up; the
 * terminal's /history asks for N events.
 */
import type { HistoryFrame, RoomEvent } from "../../protocol/frames.ts";
import { HISTORY_PAGE_MAX } from "../../protocol/limits.ts";
import type { ConnectionState } from "../RoomClient.ts";

/** The part of RoomClient that scroll-back uses. */
export interface HistorySource {
  readonly state: ConnectionState;
  history(before: number, limit?: number): Promise<HistoryFrame>;
}

export type OlderEvents =
  /** Up to the count asked for, oldest first (empty at the beginning of the room); `hasMore` when older ones remain. */
  | { kind: "events"; events: RoomEvent[]; hasMore: boolean }
  /** Not connected (`dropped`: the connection went while fetching); nothing is known about what is left. */
  | { kind: "offline"; dropped: boolean };

/**
 * Fetches up to `count` events older than seq `before`. An empty page while
 * offline says nothing about what is left, so it is reported as offline,
 * and what earlier pages brought is dropped with it.
 */
export async function olderEvents(source: HistorySource, before: number, count: number): Promise<OlderEvents> {
  if (source.state !== "live") return { kind: "offline", dropped: false };
  const pages: RoomEvent[][] = [];
  let cursor = before;
  let got = 0;
  let hasMore = true;
  while (got < count && hasMore) {
    const page = await source.history(cursor, Math.min(HISTORY_PAGE_MAX, count - got));
    if (page.events.length === 0) {
      if (source.state !== "live") return { kind: "offline", dropped: true };
      hasMore = page.hasMore;
      break;
    }
    pages.unshift(page.events);
    got += page.events.length;
    cursor = page.events[0]!.seq;
    hasMore = page.hasMore;
  }
  return { kind: "events", events: pages.flat(), hasMore };
}
