/**
 * The scrolling conversation: room events in seq order (each seq at most
 * once), older pages put on top without moving what the reader is looking
 * at, local notices, and below everything the messages still waiting to be
 * sent. RoomClient already delivers each event once and in order; the seq
 * map here only guards the seams with scroll-back.
 *
 * An edit or a delete changes its message in place (the `edited` and
 * `deleted` events themselves stay as hidden items, so every seq is in the
 * list once). Every message carries a menu: reply and react, edit and
 * delete their own, and for an owner delete any.
 *
 * A reply shows its quote (a button to the original: scrolled to and
 * highlighted, with older pages loaded until it is there); an edit or delete
 * of the original rewrites the quotes shown, as the room rewrote its stored
 * copies. The same goes for a search result or a message link (show()).
 * Reactions show as chips under the message and follow the
 * `reactions` events; which are this member's own, myReactions.ts knows.
 */
import type { PendingMessage } from "../../client/RoomClient.ts";
import type { MessageEvent, ReactionsEvent, RoomEvent, SpokenMessage } from "../../protocol/frames.ts";
import { quoteAfter, quoteOf } from "../../protocol/replyQuote.ts";
import { el, replaceChildren, uid } from "../dom.ts";
import { dayKey } from "../../client/chat/localDay.ts";
import { dayHeading } from "../readableText.ts";
import { eventElement, nameColor, quoteElement, reactionChips, richText } from "./eventView.ts";
import { menuButton, type MenuItem } from "./menu.ts";
import { PresenceRuns } from "./presenceRunView.ts";
import type { MyReactions } from "./myReactions.ts";

/** Messages from one person closer together than this share one name line. */
const GROUP_MS = 5 * 60_000;
/** Within this many pixels of the end counts as "reading the newest". */
const NEAR_END_PX = 48;
/** The picker's emoji; those already used in the room follow them. */
const COMMON_EMOJI = ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀"];
/** How long a message reached from a quote (a result, a link) stays highlighted; a toast stays. */
const FLASH_MS = 2000;

interface ItemMeta {
  kind: "msg" | "other";
  from?: string;
  ts: number;
}

export type PendingStatus = { kind: "waiting" } | { kind: "sending" } | { kind: "failed"; reason: string };

export interface PendingActions {
  edit(message: PendingMessage): void;
  dismiss(id: string): void;
  /** The reader has seen the events up to `seq` (the tab visible, scrolled to them). */
  seen(seq: number): void;
}

/** What the message menu does; each returns why it could not be sent, if it could not. */
export interface MessageActions {
  editMessage(seq: number, text: string): string | undefined;
  deleteMessage(seq: number): string | undefined;
  react(seq: number, emoji: string, on: boolean): string | undefined;
  /** The composer answers `message` next. */
  reply(message: MessageEvent): void;
  /** Copies the link to message `seq`. */
  copyLink(seq: number): void;
  /** This member's own reactions. */
  readonly mine: MyReactions;
}

export class Transcript {
  readonly element: HTMLElement;
  readonly #scroller: HTMLDivElement;
  readonly #list: HTMLOListElement;
  readonly #pendingList: HTMLOListElement;
  readonly #older: HTMLDivElement;
  readonly #olderButton: HTMLButtonElement;
  readonly #jump: HTMLButtonElement;
  readonly #toast = el("p", { class: "toast", "aria-hidden": "true", hidden: true });
  #toastTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #bySeq = new Map<number, HTMLLIElement>();
  /** Runs of joins and leaves, each shown as one line. */
  readonly #runs = new PresenceRuns();
  readonly #meta = new WeakMap<Element, ItemMeta>();
  /** The messages shown, as they are now (an edit or a delete replaces one). */
  readonly #messages = new Map<number, MessageEvent>();
  #owner = false;
  /** Every emoji seen on a message in this room, for the picker. */
  readonly #emoji = new Set<string>();
  readonly #pending = new Map<string, { message: PendingMessage; element: HTMLLIElement; failed: boolean; until?: number }>();
  #holdTimer: ReturnType<typeof setInterval> | undefined;
  /** Messages from others after this seq are new to the reader (the divider goes before the first). */
  #newAfter: number | undefined;
  readonly #observer: IntersectionObserver;
  #firstSeq: number | undefined;
  #hasMore = false;
  #loadingOlder = false;
  /** Whether the current batch of appends should end scrolled to the newest (measured before the batch). */
  #batchStick: boolean | undefined;
  #selfId: string | undefined;
  #selfName = "";
  /** The reader is at the newest line; kept there when the view shrinks (a growing message box, a phone keyboard). */
  #pinned = true;

  readonly #onNeedOlder: () => Promise<void>;
  readonly #actions: PendingActions & MessageActions;

  constructor(label: string, onNeedOlder: () => Promise<void>, actions: PendingActions & MessageActions) {
    this.#onNeedOlder = onNeedOlder;
    this.#actions = actions;
    this.#olderButton = el("button", { type: "button", class: "link-button" }, "Load older messages");
    this.#olderButton.addEventListener("click", () => this.#requestOlder());
    this.#older = el("div", { class: "older", hidden: true }, this.#olderButton);
    this.#list = el("ol", { class: "transcript", "aria-label": `Messages in ${label}` });
    this.#pendingList = el("ol", { class: "transcript pending-list", "aria-label": "Not sent yet" });
    this.#scroller = el(
      "div",
      { class: "scroller", tabindex: 0, role: "region", "aria-label": "Conversation" },
      this.#older,
      this.#list,
      this.#pendingList,
    );
    this.#jump = el("button", { type: "button", class: "jump", hidden: true }, "New messages ↓");
    this.#jump.addEventListener("click", () => this.scrollToEnd());
    // Quotes and reaction chips, in every message (and a pending reply's quote).
    this.#scroller.addEventListener("click", (event) => {
      const target = event.target as Element;
      const quote = target.closest<HTMLElement>(".quote");
      if (quote) return void this.#goTo(Number(quote.dataset.to), quote);
      const chip = target.closest<HTMLElement>(".chip");
      const seq = Number(chip?.closest("li")?.dataset.seq);
      if (chip) this.#report(this.#actions.react(seq, chip.dataset.emoji!, chip.getAttribute("aria-pressed") !== "true"));
    });
    this.element = el("div", { class: "conversation" }, this.#scroller, this.#jump, this.#toast);
    this.#scroller.addEventListener("scroll", () => {
      this.#pinned = this.#isNearEnd();
      if (this.#pinned) this.#jump.hidden = true;
      this.#noteSeen();
    }, { passive: true });
    document.addEventListener("visibilitychange", () => this.#noteSeen());
    new ResizeObserver(() => {
      if (this.#pinned) this.#scroller.scrollTop = this.#scroller.scrollHeight;
    }).observe(this.#scroller);
    this.#observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) this.#requestOlder();
    }, { root: this.#scroller, rootMargin: "300px 0px 0px 0px" });
    this.#observer.observe(this.#older);
  }

  get firstSeq(): number | undefined {
    return this.#firstSeq;
  }

  setSelf(id: string, name: string): void {
    if (id !== this.#selfId) this.#actions.mine.setMember(id);
    this.#selfId = id;
    this.#selfName = name;
  }

  /** An owner may delete anyone's message (set from the welcome, before its replay). */
  setOwner(owner: boolean): void {
    this.#owner = owner;
  }

  /** Forgets every event (a fresh welcome or a room reset); pending messages stay. */
  clear(): void {
    replaceChildren(this.#list);
    this.#bySeq.clear();
    this.#messages.clear();
    this.#firstSeq = undefined;
    this.setHasMore(false);
  }

  /** Adds the next live or replayed event at the end; false if it was already shown. */
  append(event: RoomEvent): boolean {
    if (this.#bySeq.has(event.seq)) return false;
    if (event.type === "edited" || event.type === "deleted") this.#change(event.target, event);
    if (event.type === "reactions") this.#reacted(event);
    const item = this.#eventItem(event);
    this.#runs.place(item, event, this.#list.lastElementChild);
    const mine = event.type === "message" && event.from.id === this.#selfId;
    this.#insertAtEnd(item, mine);
    return true;
  }

  /** Puts a page of older events (oldest first) above everything, keeping the reader's place. */
  prepend(events: readonly RoomEvent[]): void {
    const fresh = events.filter((e) => !this.#bySeq.has(e.seq) && (this.#firstSeq === undefined || e.seq < this.#firstSeq));
    if (fresh.length === 0) return;
    const oldFirst = this.#list.firstElementChild;
    const fragment = document.createDocumentFragment();
    let previous: Element | null = null;
    for (const event of fresh) {
      const item = this.#eventItem(event);
      this.#runs.place(item, event, previous);
      this.#relate(previous, item);
      fragment.append(item);
      previous = item;
    }
    const heightBefore = this.#scroller.scrollHeight;
    const topBefore = this.#scroller.scrollTop;
    this.#list.prepend(fragment);
    this.#runs.seam(previous, oldFirst);
    if (oldFirst instanceof HTMLElement) this.#relate(previous, oldFirst);
    this.#placeDivider();
    this.#scroller.scrollTop = topBefore + (this.#scroller.scrollHeight - heightBefore);
  }

  /** A line from this app (command output, problems), not from the room. */
  notice(text: string, tone: "info" | "warning" | "error" = "info"): void {
    const item = el("li", { class: `item notice ${tone}` }, el("p", { class: "text" }, text));
    this.#meta.set(item, { kind: "other", ts: Date.now() });
    this.#insertAtEnd(item, true);
  }

  /**
   * A "New messages" divider (an item of the list, read in its place)
   * before the first message from someone else after `seq` (the last one
   * this browser saw), now or once scrolled back to; the view starts there
   * when it is less than two screens up.
   */
  markNewAfter(seq: number): void {
    this.#newAfter = seq;
    const divider = this.#placeDivider();
    const s = this.#scroller;
    if (!divider || s.scrollHeight - divider.offsetTop > 2 * s.clientHeight) return;
    s.scrollTop = divider.offsetTop - 8;
    // The welcome's scroll to the end must not undo this.
    this.#batchStick = undefined;
    this.#pinned = this.#isNearEnd();
    this.#jump.hidden = this.#pinned;
    this.#noteSeen();
  }

  #placeDivider(): HTMLElement | undefined {
    const after = this.#newAfter;
    // Not while messages between it and the oldest shown are still to load.
    if (after === undefined || this.#list.querySelector(".new-marker") || (this.#hasMore && (this.#firstSeq ?? 0) > after + 1)) return;
    let first: HTMLLIElement | undefined;
    for (const [seq, message] of this.#messages) {
      if (seq > after && message.from.id !== this.#selfId && seq < Number(first?.dataset.seq ?? Infinity)) first = this.#bySeq.get(seq);
    }
    const divider = first && el("li", { class: "new-marker" }, "New messages");
    if (divider) first!.before(divider);
    return divider;
  }

  /** The newest event in view, if the reader can see the page: seen. */
  #noteSeen(): void {
    if (document.hidden) return;
    const bottom = this.#scroller.getBoundingClientRect().bottom;
    // Hidden items are the rest of a grouped presence line: seen with the line they follow.
    let hiddenAfter = -1;
    for (let item = this.#list.lastElementChild; item; item = item.previousElementSibling) {
      const seq = Number((item as HTMLElement).dataset.seq);
      if (!(seq >= 0)) continue;
      if ((item as HTMLElement).hidden) {
        hiddenAfter = Math.max(hiddenAfter, seq);
        continue;
      }
      if (item.getBoundingClientRect().top < bottom) return this.#actions.seen(Math.max(seq, hiddenAfter));
      hiddenAfter = -1;
    }
  }

  setHasMore(hasMore: boolean): void {
    this.#hasMore = hasMore;
    this.#older.hidden = !hasMore;
    if (hasMore) this.#recheckOlder();
  }

  setLoadingOlder(loading: boolean): void {
    this.#loadingOlder = loading;
    this.#olderButton.disabled = loading;
    this.#olderButton.textContent = loading ? "Loading older messages…" : "Load older messages";
    if (!loading) this.#recheckOlder();
  }

  /**
   * Shows event `seq` (a quote's original, a search result, a message link):
   * loads older pages until it is there, scrolls to it, highlights it briefly
   * and gives it the focus. "gone": not in the history (any more);
   * "offline": older pages could not be loaded now.
   */
  async show(seq: number): Promise<"shown" | "gone" | "offline"> {
    let before: number | undefined;
    while (!this.#bySeq.has(seq) && this.#hasMore && this.#firstSeq !== before && seq < (this.#firstSeq ?? 0)) {
      before = this.#firstSeq;
      await this.#onNeedOlder();
    }
    const item = this.#bySeq.get(seq);
    if (!item || item.hidden) return this.#hasMore && seq < (this.#firstSeq ?? 0) ? "offline" : "gone";
    item.tabIndex = -1;
    item.scrollIntoView({ block: "center" });
    // Not the newest any more: a batch's scroll to the end (a welcome's replay) must not undo this.
    this.#batchStick = undefined;
    this.#pinned = this.#isNearEnd();
    item.focus({ preventScroll: true });
    item.classList.add("flash");
    setTimeout(() => item.classList.remove("flash"), FLASH_MS);
    return "shown";
  }

  /** Shows `text` a moment over the conversation (screen readers hear it from the announcer). */
  toast(text: string): void {
    this.#toast.textContent = text;
    this.#toast.hidden = false;
    clearTimeout(this.#toastTimer);
    this.#toastTimer = setTimeout(() => (this.#toast.hidden = true), FLASH_MS);
  }

  scrollToEnd(): void {
    this.#scroller.scrollTop = this.#scroller.scrollHeight;
    this.#pinned = true;
    this.#jump.hidden = true;
  }

  // -- pending messages ----------------------------------------------------

  /** A message on screen (or loaded earlier) as it reads now. */
  message(seq: number): MessageEvent | undefined {
    return this.#messages.get(seq);
  }

  addPending(message: PendingMessage, status: PendingStatus): void {
    const element = el("li", { class: "item msg mine pending", "data-pending-id": message.id });
    this.#pending.set(message.id, { message, element, failed: false });
    this.#pendingList.append(element);
    this.#renderPending(message.id, status);
    this.#batchStick = true;
    this.#scheduleScroll();
  }

  /** Stored by the room (its event shows in the transcript) or dismissed. */
  removePending(id: string): void {
    this.#pending.get(id)?.element.remove();
    this.#pending.delete(id);
  }

  failPending(id: string, reason: string): void {
    const entry = this.#pending.get(id);
    if (!entry) return;
    entry.failed = true;
    this.#renderPending(id, { kind: "failed", reason });
  }

  /**
   * Pending message `id` goes in about `ms` (the pace holds it back): past a
   * second it says "Slow down", counting down. True if it is the first held.
   */
  holdPending(id: string, ms: number): boolean {
    const entry = this.#pending.get(id);
    if (!entry || entry.failed || ms < 900) return false;
    const first = !this.#holdTimer;
    entry.until = Date.now() + ms;
    this.#holdTimer ??= setInterval(() => this.#tickHolds(), 500);
    this.#tickHolds();
    return first;
  }

  #tickHolds(): void {
    let any = false;
    for (const { until, element, failed } of this.#pending.values()) {
      if (failed) continue;
      const left = Math.ceil(((until ?? 0) - Date.now()) / 1000);
      const status = element.querySelector(".pending-status");
      if (left > 0) any = true;
      if (until && status) status.textContent = left > 0 ? `Slow down: sending in ${left} s` : "Sending…";
    }
    if (!any) this.#holdTimer = void clearInterval(this.#holdTimer);
  }

  /** Shows every pending message as waiting for the connection or being sent. */
  setPendingStatus(status: PendingStatus): void {
    for (const [id, entry] of this.#pending) if (!entry.failed) this.#renderPending(id, status);
  }

  /** Pending messages not refused for good, oldest first. */
  unsentPending(): PendingMessage[] {
    return [...this.#pending.values()].filter((p) => !p.failed).map((p) => p.message);
  }

  /** A pending message handed to another client under a new id. */
  renamePending(oldId: string, message: PendingMessage): void {
    const entry = this.#pending.get(oldId);
    if (!entry) return;
    this.#pending.delete(oldId);
    entry.message = message;
    entry.element.dataset.pendingId = message.id;
    this.#pending.set(message.id, entry);
  }

  #renderPending(id: string, status: PendingStatus): void {
    const entry = this.#pending.get(id);
    if (!entry) return;
    const { message, element } = entry;
    const name = el("span", { class: `name ${nameColor(this.#selfName)}` }, this.#selfName);
    const statusText =
      status.kind === "failed" ? `Not sent: ${status.reason}` : status.kind === "sending" ? "Sending…" : "Waiting for connection…";
    const original = message.replyTo === undefined ? undefined : this.#messages.get(message.replyTo);
    const children = [
      original && !("deleted" in original) && quoteElement(quoteOf(original)),
      message.action
        ? el("p", { class: "text" }, "* ", name, " ", ...richText(message.text))
        : el("p", { class: "meta" }, name),
      message.action ? null : el("p", { class: "text" }, ...richText(message.text)),
      el("p", { class: `pending-status${status.kind === "failed" ? " failed" : ""}` }, statusText),
    ];
    element.classList.toggle("failed", status.kind === "failed");
    replaceChildren(element, ...children);
    if (status.kind === "failed") {
      const edit = el("button", { type: "button", class: "link-button" }, "Edit");
      edit.addEventListener("click", () => this.#actions.edit(message));
      const dismiss = el("button", { type: "button", class: "link-button" }, "Dismiss");
      dismiss.addEventListener("click", () => this.#actions.dismiss(message.id));
      element.append(el("p", { class: "pending-actions" }, edit, dismiss));
    }
  }

  // -- internals -----------------------------------------------------------

  #eventItem(event: RoomEvent): HTMLLIElement {
    const item = eventElement(event, this.#selfId);
    this.#bySeq.set(event.seq, item);
    if (event.type === "edited" || event.type === "deleted" || event.type === "reactions") {
      // Shown in place, on the message; the item keeps the seq.
      item.hidden = true;
    } else {
      const isMessage = event.type === "message" && !("action" in event && event.action);
      this.#meta.set(item, isMessage ? { kind: "msg", from: event.from.id, ts: event.ts } : { kind: "other", ts: event.ts });
    }
    if (event.type === "message") {
      this.#messages.set(event.seq, event);
      if (!("deleted" in event)) this.#showReactions(item, event);
      this.#addMenu(event, item);
    }
    if (this.#firstSeq === undefined || event.seq < this.#firstSeq) this.#firstSeq = event.seq;
    return item;
  }

  /** Message `seq` was edited or deleted: its item is redrawn as it is now, where it was. */
  #change(seq: number, change: Extract<RoomEvent, { type: "edited" | "deleted" }>): void {
    const old = this.#bySeq.get(seq);
    const message = this.#messages.get(seq);
    if (!old || !message) return; // not loaded: scrolling back shows it as it is now
    const { id, from, ts } = message;
    const now: MessageEvent =
      change.type === "deleted" || "deleted" in change || "deleted" in message
        ? { type: "message", seq, ts, from, deleted: true, ...(id === undefined ? {} : { id }) }
        : { ...message, text: change.text, edited: change.ts };
    const hadFocus = old.contains(document.activeElement);
    const item = this.#eventItem(now);
    old.replaceWith(item);
    this.#relate(item.previousElementSibling, item);
    if (hadFocus) (item.querySelector<HTMLElement>(".menu-button") ?? this.#scroller).focus();
    // Replies shown quote it: their quotes follow.
    for (const reply of this.#messages.values()) {
      if ("deleted" in reply || reply.replyTo?.seq !== seq) continue;
      const quote = quoteAfter(reply.replyTo, change);
      this.#messages.set(reply.seq, { ...reply, replyTo: quote });
      const shown = this.#bySeq.get(reply.seq)?.querySelector(".quote");
      const fresh = quoteElement(quote);
      shown?.replaceWith(fresh);
      if (shown === document.activeElement) fresh.focus();
    }
  }

  /** The reactions on a message changed: its chips follow (a message not loaded shows them when scrolled back to). */
  #reacted(event: ReactionsEvent): void {
    if (event.by.id === this.#selfId) this.#actions.mine.note(event);
    const message = this.#messages.get(event.target);
    const item = this.#bySeq.get(event.target);
    if (!message || !item || "deleted" in message) return;
    const { reactions: _before, ...rest } = message;
    const now = Object.keys(event.counts).length ? { ...rest, reactions: event.counts } : rest;
    this.#messages.set(now.seq, now);
    this.#showReactions(item, now);
  }

  /** Draws (or redraws) a message's chips, before its menu; a chip that had the focus keeps it. */
  #showReactions(item: HTMLLIElement, message: SpokenMessage): void {
    const old = item.querySelector(".reactions");
    const focused = old?.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.emoji : undefined;
    for (const emoji of Object.keys(message.reactions ?? {})) this.#emoji.add(emoji);
    const chips = reactionChips(message.reactions, (emoji) => this.#actions.mine.has(message.seq, emoji));
    old?.remove();
    if (!chips) return;
    item.insertBefore(chips, item.querySelector(".menu-wrap"));
    if (focused) chips.querySelector<HTMLElement>(`[data-emoji="${CSS.escape(focused)}"]`)?.focus();
  }

  /** A quote was pressed: shows the original, or says under the quote why it cannot. */
  async #goTo(seq: number, quote: HTMLElement): Promise<void> {
    quote.parentElement?.querySelector(".quote-note")?.remove();
    const outcome = await this.show(seq);
    if (outcome === "shown") return;
    const why = outcome === "offline" ? "Could not load the original message; try again once connected." : "The original message is no longer available.";
    quote.after(el("p", { class: "quote-note", role: "status" }, why));
  }

  /** The message menu: reply and react; edit and delete for its author, delete for an owner. */
  #addMenu(message: MessageEvent, item: HTMLLIElement): void {
    const mine = message.from.id === this.#selfId;
    if ("deleted" in message) return;
    const { seq } = message;
    const react = (emoji: string): MenuItem => {
      const on = !this.#actions.mine.has(seq, emoji);
      return { label: emoji, checked: !on, run: () => this.#report(this.#actions.react(seq, emoji, on)) };
    };
    const items = (): MenuItem[] => [
      { label: "Reply", run: () => this.#actions.reply(this.#messages.get(seq) ?? message) },
      { label: "React", items: () => [...new Set([...COMMON_EMOJI, ...this.#emoji])].map(react) },
      { label: "Copy link", run: () => this.#actions.copyLink(seq) },
      ...(mine ? [{ label: "Edit", run: () => this.#editInPlace(seq) }] : []),
      ...(mine || this.#owner
        ? [{ label: mine ? "Delete" : `Delete ${message.from.name}'s message`, run: () => this.#report(this.#actions.deleteMessage(seq)) }]
        : []),
    ];
    item.append(menuButton(`Actions for the message from ${mine ? "you" : message.from.name}`, "⋯", items));
  }

  /** Replaces the message's text with a box to edit it: Enter saves, Escape cancels. */
  #editInPlace(seq: number): void {
    const item = this.#bySeq.get(seq);
    const message = this.#messages.get(seq);
    const text = item?.querySelector(".text");
    if (!item || !text || !message || "deleted" in message) return;
    const id = uid("edit");
    const box = el("textarea", { id, class: "edit-box", rows: 2, dir: "auto" });
    box.value = message.text;
    const save = el("button", { type: "submit", class: "button primary" }, "Save");
    const cancel = el("button", { type: "button", class: "button secondary" }, "Cancel");
    const form = el("form", { class: "edit-form" }, el("label", { for: id, class: "visually-hidden" }, "Edit your message"), box, el("div", { class: "edit-actions" }, save, cancel));
    const done = () => {
      form.replaceWith(text);
      item.querySelector<HTMLElement>(".menu-button")?.focus();
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const edited = box.value.trim();
      if (edited !== message.text && edited !== "") this.#report(this.#actions.editMessage(seq, edited));
      done();
    });
    cancel.addEventListener("click", done);
    box.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        done();
      } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    text.replaceWith(form);
    box.focus();
  }

  #report(problem: string | undefined): void {
    if (problem) this.notice(problem, "error");
  }

  #insertAtEnd(item: HTMLLIElement, stick: boolean): void {
    this.#batchStick ??= this.#isNearEnd();
    if (stick) this.#batchStick = true;
    this.#relate(this.#list.lastElementChild, item);
    this.#list.append(item);
    this.#scheduleScroll();
  }

  /** One scroll decision per synchronous batch (a welcome replays up to hundreds of events at once). */
  #scheduleScroll(): void {
    queueMicrotask(() => {
      if (this.#batchStick === undefined) return;
      if (this.#batchStick) this.scrollToEnd();
      else this.#jump.hidden = false;
      this.#batchStick = undefined;
      this.#noteSeen();
    });
  }

  /** Day headings and name grouping depend on the item before. */
  #relate(previous: Element | null, item: HTMLElement): void {
    const meta = this.#meta.get(item);
    if (!meta) return;
    // Hidden items (edits, deletes) and the "New" marker do not break a group.
    while (previous && !this.#meta.has(previous)) previous = previous.previousElementSibling;
    const before = previous ? this.#meta.get(previous) : undefined;
    const newDay = !before || dayKey(before.ts) !== dayKey(meta.ts);
    if (newDay) item.dataset.day = dayHeading(meta.ts);
    else delete item.dataset.day;
    const continued =
      !newDay && before?.kind === "msg" && meta.kind === "msg" && before.from === meta.from && meta.ts - before.ts < GROUP_MS;
    item.classList.toggle("continued", continued);
  }

  #isNearEnd(): boolean {
    const s = this.#scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_END_PX;
  }

  #requestOlder(): void {
    if (this.#hasMore && !this.#loadingOlder) this.#onNeedOlder();
  }

  /** The observer only reports changes; ask again in case the top is still in view. */
  #recheckOlder(): void {
    this.#observer.unobserve(this.#older);
    this.#observer.observe(this.#older);
  }
}
