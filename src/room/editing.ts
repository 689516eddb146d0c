/**
 * Edits and deletions of messages. What the room stores is each message as
 * it is now: an edit rewrites the message's row with the new text (and
 * `edited`), a deletion rewrites it without text, and also rewrites every
 * earlier edit of it without text, so the deleted words are gone from
 * storage, from every later welcome, resume and history page, and stay gone
 * after eviction and restart. Replies quoting the message follow it (see
 * replies.ts), and a deletion drops the message's reactions and who made
 * them. An `edited` or `deleted` event then tells the clients that are live
 * (and those that resume after it) what changed.
 *
 * Cost: an edit writes 2 rows (the message, the event) plus one per reply to
 * the message, and reads the events after the message to find those replies;
 * a deletion writes 2 plus one per earlier edit and per reply, found in one
 * read of the events after the message (edits and deletions are rare; an
 * index would cost a row per event).
 */
import { errorFrame, type Json } from "../protocol/encode.ts";
import type { DeletedEvent, DeleteFrame, EditedEvent, EditFrame, Member, RoomEvent, ServerFrame } from "../protocol/frames.ts";
import type { Broadcaster } from "./broadcaster.ts";
import type { EventLog } from "./eventLog.ts";
import type { Replies } from "./replies.ts";
import type { SearchIndex } from "./search.ts";

export class Editing {
  readonly #events: EventLog;
  readonly #broadcaster: Broadcaster;
  readonly #replies: Replies;
  /** The full-text index, when search is on: an edit or a deletion updates it too. */
  readonly #search: SearchIndex | null;

  constructor(events: EventLog, broadcaster: Broadcaster, replies: Replies, search: SearchIndex | null) {
    this.#events = events;
    this.#broadcaster = broadcaster;
    this.#replies = replies;
    this.#search = search;
  }

  /** `by` edits one of their own messages; an error frame for them when it cannot be done. */
  edit(by: Member, frame: EditFrame): Json<ServerFrame> | undefined {
    const message = this.#events.message(frame.seq);
    if (!message || "deleted" in message) return errorFrame("not_found", `there is no message ${frame.seq} to edit`);
    if (message.from.id !== by.id) return errorFrame("forbidden", "you can only edit your own messages");
    if (message.text === frame.text) return undefined;
    // The message's `edited` is the `edited` event's own ts, so a replay and the live news agree.
    let change: EditedEvent | undefined;
    const news = this.#events.append((seq, ts) => (change = { type: "edited", seq, ts, target: message.seq, by, text: frame.text }));
    this.#events.rewrite({ ...message, text: frame.text, edited: change!.ts });
    this.#replies.edited(change!);
    this.#search?.replace(message.seq, frame.text);
    this.#broadcaster.publish(news);
    return undefined;
  }

  /** `by` deletes a message: their own, or anyone's when `owner`. */
  delete(by: Member, owner: boolean, frame: DeleteFrame): Json<ServerFrame> | undefined {
    const message = this.#events.message(frame.seq);
    if (!message || "deleted" in message) return errorFrame("not_found", `there is no message ${frame.seq} to delete`);
    if (message.from.id !== by.id && !owner) return errorFrame("forbidden", "only the room's owners can delete other people's messages");
    // Without its text, its quote of another message, its reactions and who made them.
    this.#events.rewrite(
      { type: "message", seq: message.seq, ts: message.ts, from: message.from, deleted: true, ...(message.id === undefined ? {} : { id: message.id }) },
      null,
    );
    const followers = this.#events.followersOf(message.seq, true);
    for (const stored of followers) {
      const edit = JSON.parse(stored.json) as RoomEvent;
      if (edit.type !== "edited") continue;
      this.#events.rewrite({ type: "edited", seq: edit.seq, ts: edit.ts, target: edit.target, by: edit.by, deleted: true });
    }
    let change: DeletedEvent | undefined;
    const news = this.#events.append((seq, ts) => (change = { type: "deleted", seq, ts, target: message.seq, by }));
    this.#replies.requote(followers, change!);
    this.#search?.remove(message.seq);
    this.#broadcaster.publish(news);
    return undefined;
  }
}
