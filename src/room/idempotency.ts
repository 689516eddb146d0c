/**
 * Idempotent messages: a message whose `id` its sender (the member, by id) already used
 * among the room's newest `DEDUP_WINDOW` events is not stored again; the
 * sender gets the original event back, which acknowledges the resend. This
 * is what lets clients resend everything unacknowledged after a reconnect.
 *
 * Everything about it lives here: the event log only keeps each message's
 * sender and id in its row (so they survive a restart), and this class
 * decides. The window is kept in memory and filled from storage once per
 * wake, the first time a message with an id arrives, so the message path
 * itself reads no rows (a duplicate costs one read, to fetch the original).
 */
import type { Member, MessageEvent, MessageFrame, ReplyQuote } from "../protocol/frames.ts";
import type { ClientId, EventLog, StoredEvent } from "./eventLog.ts";

export type StoredMessage =
  | {
      event: StoredEvent;
      /** True when the message repeated a recent id: `event` is the original, nothing new was stored. */
      resent: boolean;
    }
  /** A reply to a message there is nothing to quote of: nothing was stored. */
  | { event: undefined; resent: false };

/** The quote for a reply to `seq` (see replies.ts), or undefined when there is nothing to quote. */
export type Quote = (seq: number) => ReplyQuote | undefined;

const NO_MENTIONS = (): string[] => [];

export class IdempotentMessages {
  readonly #log: EventLog;
  readonly #window: IdWindow;
  readonly #quote: Quote;
  #filled = false;

  constructor(log: EventLog, window: number, quote: Quote) {
    this.#log = log;
    this.#window = new IdWindow(window);
    this.#quote = quote;
  }

  /**
   * Stores a chat message, unless it repeats a recent id: then returns the
   * original. A reply is quoted only once it is known to be new: a resend is
   * acknowledged even when what it answered has gone since.
   */
  store(from: Member, frame: MessageFrame, mentions: () => string[] = NO_MENTIONS): StoredMessage {
    const { id, text, replyTo } = frame;
    // Keyed by the member, never by the name: anyone can take a name once its holder left,
    // and must not be able to claim (or erase) that holder's message ids with it.
    const clientId: ClientId | undefined = id === undefined ? undefined : { sender: from.id, id };
    if (clientId) {
      const original = this.#original(clientId);
      if (original) return { event: original, resent: true };
    }
    const action = frame.action === true;
    const quoted = replyTo === undefined ? undefined : this.#quote(replyTo);
    if (replyTo !== undefined && !quoted) return { event: undefined, resent: false };
    const mentioned = mentions();
    const event = this.#log.append(
      (seq, ts): MessageEvent => ({
        type: "message",
        seq,
        ts,
        from,
        text,
        ...(id === undefined ? {} : { id }),
        ...(action ? { action: true as const } : {}),
        ...(quoted ? { replyTo: quoted } : {}),
        ...(mentioned.length > 0 ? { mentions: mentioned } : {}),
      }),
      clientId,
    );
    if (clientId) this.#window.remember(clientId, event.seq);
    return { event, resent: false };
  }

  #original(clientId: ClientId): StoredEvent | undefined {
    if (!this.#filled) {
      // Marked filled only once the read succeeded: a failed read is retried.
      this.#window.fill(this.#log.recentClientIds(this.#window.size));
      this.#filled = true;
    }
    const seq = this.#window.find(clientId);
    return seq === undefined ? undefined : this.#log.get(seq);
  }
}

/**
 * Which client ids the newest `size` events used, and at which seq. Exported
 * for its unit tests; the room uses it through IdempotentMessages.
 */
export class IdWindow {
  readonly size: number;
  readonly #seqByKey = new Map<string, number>();
  /** Keys in the order they were remembered (seq order), from `#head` on: what to forget next. */
  #order: { key: string; seq: number }[] = [];
  #head = 0;

  constructor(size: number) {
    this.size = size;
  }

  /** Adds ids read back from storage, oldest first. */
  fill(rows: readonly (ClientId & { seq: number })[]): void {
    for (const row of rows) this.#add(keyOf(row), row.seq);
  }

  /** The seq of the message with this sender and id, if recent. */
  find(clientId: ClientId): number | undefined {
    return this.#seqByKey.get(keyOf(clientId));
  }

  /** Records a newly stored message and forgets ids that fell out of the window. */
  remember(clientId: ClientId, seq: number): void {
    this.#add(keyOf(clientId), seq);
    const oldest = seq - this.size;
    const order = this.#order;
    // Oldest first, so this stops at once in the common case: no scan, no iterator per message.
    while (this.#head < order.length && order[this.#head]!.seq <= oldest) {
      const { key, seq: s } = order[this.#head++]!;
      // The key may have been remembered again since, with a newer seq: keep that.
      if (this.#seqByKey.get(key) === s) this.#seqByKey.delete(key);
    }
    // Drop the forgotten prefix now and then, not per message.
    if (this.#head > this.size) {
      this.#order = order.slice(this.#head);
      this.#head = 0;
    }
  }

  #add(key: string, seq: number): void {
    this.#seqByKey.set(key, seq);
    this.#order.push({ key, seq });
  }
}

// A name cannot contain control characters, so NUL cannot be forged into it.
const keyOf = ({ sender, id }: ClientId): string => `${sender}\u0000${id}`;
