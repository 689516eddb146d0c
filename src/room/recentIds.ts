/**
 * The idempotency window: which client message ids the room has stored lately,
 * so a resend (same sender name, same id) gets the original event back instead
 * of a second copy. Kept in memory and filled from storage once per wake, the
 * first time a message with an id arrives, so the message path itself reads no
 * rows (a duplicate costs one read, to fetch the original).
 */
import type { EventLog } from "./eventLog.ts";

export class RecentIds {
  readonly #window: number;
  readonly #seqByKey = new Map<string, number>();
  /** Keys in the order they were remembered (seq order), from `#head` on: what to forget next. */
  #order: { key: string; seq: number }[] = [];
  #head = 0;
  #loaded = false;

  constructor(window: number) {
    this.#window = window;
  }

  /** The seq of the stored message with this sender and id, if recent. */
  find(log: EventLog, sender: string, id: string): number | undefined {
    if (!this.#loaded) {
      // Marked loaded only once the read succeeded: a failed read is retried.
      for (const row of log.recentClientIds(this.#window)) this.#add(key(row.sender, row.cid), row.seq);
      this.#loaded = true;
    }
    return this.#seqByKey.get(key(sender, id));
  }

  /** Records a newly stored message and forgets ids that fell out of the window. */
  remember(sender: string, id: string, seq: number): void {
    this.#add(key(sender, id), seq);
    const oldest = seq - this.#window;
    const order = this.#order;
    // Oldest first, so this stops at once in the common case: no scan, no iterator per message.
    while (this.#head < order.length && order[this.#head]!.seq <= oldest) {
      const { key: k, seq: s } = order[this.#head++]!;
      // The key may have been remembered again since, with a newer seq: keep that.
      if (this.#seqByKey.get(k) === s) this.#seqByKey.delete(k);
    }
    // Drop the forgotten prefix now and then, not per message.
    if (this.#head > this.#window) {
      this.#order = order.slice(this.#head);
      this.#head = 0;
    }
  }

  #add(k: string, seq: number): void {
    this.#seqByKey.set(k, seq);
    this.#order.push({ key: k, seq });
  }
}

// A name cannot contain control characters, so NUL cannot be forged into it.
const key = (sender: string, id: string): string => `${sender}\u0000${id}`;
