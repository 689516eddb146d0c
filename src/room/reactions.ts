/**
 * Reactions: a member puts an emoji on a message, or takes it back. Each
 * member has at most one of each emoji on a message, and a message carries
 * at most `max` different emoji.
 *
 * What everyone sees is the counts, and they live in the message's own
 * stored JSON (`reactions`, first-used emoji first), so a welcome or a
 * history page shows them as they are now with no second table or lookup.
 * Who reacted (member ids, which only the room needs, to keep each member to
 * one of each emoji) is kept beside that JSON in the same row, in the event
 * log's `reactors` column. A `reactions` event then tells everyone the new
 * counts; it goes out like presence (see Broadcaster.announce), so in a big
 * room a burst of reactions costs one frame per socket per batch window.
 *
 * A reaction that changes nothing (on when it is on already, off when it is
 * not) is no error and costs nothing: clients may resend it safely.
 *
 * Cost: a reaction reads 2 rows (who reacted, and the row its rewrite
 * visits; the message itself usually comes from the event log's cache) and
 * writes 2: the message, rewritten with the new counts and reactors, and the
 * event. One that changes nothing reads 1 row and writes none. Deleting a
 * message drops its counts and reactors with its text (editing.ts).
 */
import { errorFrame, type Json } from "../protocol/encode.ts";
import type { Member, ReactFrame, ReactionCounts, ServerFrame } from "../protocol/frames.ts";
import type { Broadcaster } from "./broadcaster.ts";
import type { EventLog } from "./eventLog.ts";

/** Emoji → the ids of the members who put it on the message, in the order they did. */
type Reactors = Record<string, string[]>;

export class Reactions {
  readonly #events: EventLog;
  readonly #broadcaster: Broadcaster;
  readonly #max: number;

  constructor(events: EventLog, broadcaster: Broadcaster, max: number) {
    this.#events = events;
    this.#broadcaster = broadcaster;
    this.#max = max;
  }

  /** `by` puts `frame.emoji` on message `frame.seq` or takes it off; an error frame for them when it cannot be done. */
  react(by: Member, frame: ReactFrame, now: number): Json<ServerFrame> | undefined {
    const { seq, emoji, on } = frame;
    // A deleted message takes no reactions.
    const message = this.#events.message(seq);
    if (!message || "deleted" in message) return errorFrame("not_found", `there is no message ${seq} to react to`);
    const stored = this.#events.reactorsOf(seq);
    // JSON keeps the order keys were added in (no emoji is an array index), so first-used stays first.
    const reactors: Reactors = stored === null ? {} : (JSON.parse(stored) as Reactors);
    const members = reactors[emoji];
    const has = members !== undefined && members.includes(by.id);
    if (on === has) return undefined;
    if (on) {
      if (members) members.push(by.id);
      else if (Object.keys(reactors).length >= this.#max) {
        return errorFrame("too_many_reactions", `a message can carry at most ${this.#max} different reactions`);
      } else reactors[emoji] = [by.id];
    } else if (members!.length === 1) {
      delete reactors[emoji];
    } else {
      members!.splice(members!.indexOf(by.id), 1);
    }

    const counts: ReactionCounts = {};
    for (const [key, ids] of Object.entries(reactors)) counts[key] = ids.length;
    if (Object.keys(counts).length === 0) {
      const { reactions: _none, ...rest } = message;
      this.#events.rewrite(rest, null);
    } else {
      this.#events.rewrite({ ...message, reactions: counts }, JSON.stringify(reactors));
    }
    this.#broadcaster.announce(
      this.#events.append((s, ts) => ({ type: "reactions", seq: s, ts, target: seq, counts, by, emoji, on })),
      now,
    );
    return undefined;
  }
}
