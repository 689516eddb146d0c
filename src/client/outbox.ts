/**
 * What this client has to say and has not had acknowledged yet, and the pace
 * it says it at.
 *
 * A message gets its unique id when it is written, waits while offline, is
 * sent once the link is ready, and stays pending until its own event comes
 * back (the acknowledgement). After a reconnect everything pending is sent
 * again, unless the replay showed it was stored; the room deduplicates ids
 * anyway, but only within its window, so not resending what the replay
 * acknowledges is what keeps a long absence from storing a message twice.
 *
 * Frames are paced with the room's own token bucket (rateLimit.ts) and the
 * limits its welcome advertises, a little under them, so the room never has
 * to refuse one. Control frames (rename, history) go before messages.
 */
import {
  type AdvertisedLimits,
  type ClientFrame,
  type ErrorCode,
  type ErrorFrame,
  type JoinFrame,
  type MessageFrame,
  type TypingFrame,
} from "../protocol/frames.ts";
import { takeToken, type RateRule } from "../protocol/rateLimit.ts";

/** A message written by this client and not yet acknowledged by the room. */
export interface PendingMessage {
  id: string;
  text: string;
  action: boolean;
  /** The seq of the message this one answers. */
  replyTo?: number;
}

/** Frames other than messages that wait for the pace: renames, history requests, owners' actions. */
export type ControlFrame = Exclude<ClientFrame, JoinFrame | MessageFrame | TypingFrame>;

/** What the outbox sends through. */
export interface OutboxLink {
  /**
   * Whether queued frames may go now: false while not live, and while a
   * replay is under way that may yet acknowledge a pending message.
   */
  ready(): boolean;
  /** Puts one frame on the wire; false (nothing sent) without a joined connection. */
  send(frame: ClientFrame): boolean;
}

/** Errors about one message that resending will not fix (`not_found`: a reply to a message the room does not have). */
const PERMANENT_MESSAGE_ERRORS: ReadonlySet<ErrorCode> = new Set(["text_empty", "text_too_long", "text_invalid", "bad_request", "not_found"]);
/** Errors that mean "this message, but later": it stays pending and goes again after `retryAfterMs`. */
const WAIT_MESSAGE_ERRORS: ReadonlySet<ErrorCode> = new Set(["rate_limited", "slow_mode"]);
/** How long to wait after rate_limited or slow_mode when the room did not say. */
const DEFAULT_RETRY_MS = 1000;

/**
 * A little under the room's limit: frames may arrive closer together than
 * they left (a slow network delivers a burst at once).
 */
export function pacingRule(limits: AdvertisedLimits): RateRule {
  return { burst: Math.max(1, limits.rateBurst - 2), perSecond: limits.ratePerSecond * 0.9 };
}

export class Outbox {
  readonly #link: OutboxLink;
  readonly #changed: (messages: readonly PendingMessage[]) => void;
  readonly #held: ((id: string, ms: number) => void) | undefined;
  /** Pending messages by id, in the order they were written. */
  readonly #pending = new Map<string, PendingMessage>();
  /** `messages` as an array, rebuilt only after a change. */
  #list: readonly PendingMessage[] | null = [];
  /** Sent on the current connection, not acknowledged yet: not sent again on it. */
  readonly #inFlight = new Set<string>();
  #control: ControlFrame[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** No pacing before the first welcome: nothing can be sent then anyway. */
  #rule: RateRule | undefined;
  /** The pacing bucket's state (see rateLimit.ts). */
  #tat = 0;
  /** No message goes before this time (ms since the epoch): the room said to wait (slow mode, its rate). */
  #messagesHeldUntil = 0;

  /**
   * `changed` hears the pending messages after every change; `held`, each
   * time the pace (or the room's rate_limited, slow_mode) holds messages
   * back, every message not on the wire and about how long until it goes.
   */
  constructor(link: OutboxLink, changed: (messages: readonly PendingMessage[]) => void, held?: (id: string, ms: number) => void) {
    this.#link = link;
    this.#changed = changed;
    this.#held = held;
  }

  /** Pending messages, oldest first; a new array after each change. */
  get messages(): readonly PendingMessage[] {
    this.#list ??= [...this.#pending.values()];
    return this.#list;
  }

  /** Queues a message (already checked) under a new unique id, and sends what may go. */
  add(text: string, action: boolean, replyTo?: number): PendingMessage {
    const message: PendingMessage = { id: newMessageId(), text, action, ...(replyTo === undefined ? {} : { replyTo }) };
    this.#pending.set(message.id, message);
    this.#notify();
    this.flush();
    return message;
  }

  /** Queues a control frame ahead of every message, and sends what may go. */
  control(frame: ControlFrame): void {
    this.#control.push(frame);
    this.flush();
  }

  /**
   * Sends one frame now if the pace allows, without queueing it (a typing
   * notice is worth nothing later); true if it was sent.
   */
  sendNow(frame: ClientFrame): boolean {
    return this.#transmit(frame) === 0;
  }

  /** The room stored the message with this id: it is no longer pending. */
  acknowledge(id: string): void {
    this.#inFlight.delete(id);
    if (this.#pending.delete(id)) this.#notify();
  }

  /**
   * Acts on an error frame about a pending message (its `ref`): rate_limited
   * and slow_mode keep it pending and hold every message back until the wait
   * the room named is over, then send again in order; an error resending
   * cannot fix drops it, and the dropped message is returned. Anything else
   * changes nothing.
   */
  refused(error: ErrorFrame): PendingMessage | undefined {
    const message = error.ref === undefined ? undefined : this.#pending.get(error.ref);
    if (!message) return undefined;
    if (WAIT_MESSAGE_ERRORS.has(error.code)) {
      this.#inFlight.delete(message.id);
      this.#messagesHeldUntil = Math.max(this.#messagesHeldUntil, Date.now() + (error.retryAfterMs ?? DEFAULT_RETRY_MS));
      this.flush();
    } else if (PERMANENT_MESSAGE_ERRORS.has(error.code)) {
      this.acknowledge(message.id);
      return message;
    }
    return undefined;
  }

  /** A new connection was welcomed: its bucket is full, and nothing has been sent on it. */
  welcomed(limits: AdvertisedLimits): void {
    this.#rule = pacingRule(limits);
    this.#tat = 0;
    this.#inFlight.clear();
  }

  /**
   * The connection ended: what was in flight is pending again, and control
   * frames not sent yet are returned (a rename goes with the next join; a
   * history request is answered empty elsewhere).
   */
  disconnected(): ControlFrame[] {
    clearTimeout(this.#flushTimer);
    this.#inFlight.clear();
    const unsent = this.#control;
    this.#control = [];
    return unsent;
  }

  /**
   * Sends queued control frames, then pending messages not already on the
   * wire, in order, as fast as the pace allows; the rest follow when tokens
   * come back.
   */
  flush(): void {
    if (!this.#link.ready()) return;
    while (this.#control.length > 0) {
      const wait = this.#transmit(this.#control[0]!);
      if (wait !== 0) {
        if (wait > 0) this.#scheduleFlush(wait);
        return;
      }
      this.#control.shift();
    }
    const held = this.#messagesHeldUntil - Date.now();
    if (held > 0) {
      if (this.#pending.size > this.#inFlight.size) this.#scheduleFlush(held);
      this.#tellHeld(held);
      return;
    }
    for (const message of this.#pending.values()) {
      if (this.#inFlight.has(message.id)) continue;
      const wait = this.#transmit({ type: "message", text: message.text, id: message.id, action: message.action, replyTo: message.replyTo });
      if (wait !== 0) {
        if (wait > 0) {
          this.#scheduleFlush(wait);
          this.#tellHeld(wait);
        }
        return;
      }
      this.#inFlight.add(message.id);
    }
  }

  /** Each message not on the wire waits `ms`, then one pace step more than the one before it. */
  #tellHeld(ms: number): void {
    const step = this.#rule ? 1000 / this.#rule.perSecond : 0;
    let k = 0;
    for (const message of this.#pending.values()) if (!this.#inFlight.has(message.id)) this.#held?.(message.id, ms + step * k++);
  }

  #scheduleFlush(delayMs: number): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = setTimeout(() => this.flush(), delayMs);
  }

  /** 0 when sent, the wait in ms when the pace says not yet, -1 when not connected. */
  #transmit(frame: ClientFrame): number {
    const decision = this.#rule && takeToken(this.#tat, Date.now(), this.#rule);
    if (decision && !decision.allowed) return decision.retryAfterMs;
    if (!this.#link.send(frame)) return -1;
    if (decision) this.#tat = decision.tat;
    return 0;
  }

  #notify(): void {
    this.#list = null;
    this.#changed(this.messages);
  }
}

/** A unique message id (UUID where available, which it is in browsers and Node). */
function newMessageId(): string {
  return crypto.randomUUID();
}
