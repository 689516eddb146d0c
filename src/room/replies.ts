/**
 * Replies. A message may answer an earlier one (`replyTo: seq`); the room
 * stores the reply with a quote of the original (who said it and the start
 * of its text, see src/protocol/replyQuote.ts), so every replay and history
 * page can show what was answered without a second lookup, even once the
 * original has left history.
 *
 * A quote must never say more than the original does now: when the original
 * is edited, every reply still stored gets the new snippet (and `edited`);
 * when it is deleted, every reply's quote loses its text, so the deleted
 * words are gone from storage with the message itself (see editing.ts). No
 * event tells clients about the rewritten quotes: they apply the same change
 * themselves from the live `edited` or `deleted` event.
 *
 * Cost: a reply reads at most 1 row (the original, often from the event
 * log's cache) and writes nothing more than a plain message; a plain message
 * pays nothing. An edit or a deletion of a message reads the events after it
 * (no index: it would cost a row written per event; deletions fold this into
 * the scan for the message's edits) and writes 1 row per reply to it.
 */
import { quoteAfter, quoteOf } from "../protocol/replyQuote.ts";
import type { DeletedEvent, EditedEvent, ReplyQuote, RoomEvent, SpokenMessage } from "../protocol/frames.ts";
import type { EventLog, StoredEvent } from "./eventLog.ts";

export class Replies {
  readonly #events: EventLog;

  constructor(events: EventLog) {
    this.#events = events;
  }

  /** The quote for a reply to `seq`, or undefined when history has no message there that still has its text. */
  quote(seq: number): ReplyQuote | undefined {
    const message = this.#events.message(seq);
    return message && !("deleted" in message) ? quoteOf(message) : undefined;
  }

  /** Message `change.target` was edited: every reply to it quotes the new text. */
  edited(change: EditedEvent): void {
    this.requote(this.#events.followersOf(change.target, false), change);
  }

  /**
   * Rewrites the quote of each stored reply among `events` (others are
   * skipped: a deletion passes its scan for edits and replies at once).
   * Their reactions and reactors stay as they are.
   */
  requote(events: readonly StoredEvent[], change: EditedEvent | DeletedEvent): void {
    for (const stored of events) {
      const event = JSON.parse(stored.json) as RoomEvent;
      if (event.type !== "message" || "deleted" in event || event.replyTo?.seq !== change.target) continue;
      const reply: SpokenMessage = { ...event, replyTo: quoteAfter(event.replyTo, change) };
      this.#events.rewrite(reply);
    }
  }
}
