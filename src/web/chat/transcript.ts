/**
 * The scrolling conversation: room events in seq order (each seq at most
 * once), older pages put on top without moving what the reader is looking
 * at, local notices, and below everything the messages still waiting to be
 * sent. RoomClient already delivers each event once and in order; the seq
 * map here only guards the seams with scroll-back.
 *
 * An edit or a delete changes its message in place (the `edited` and
 * `deleted` events themselves stay as hidden items, so every seq is in the
 * list once). Messages this member may act on carry a menu: edit and delete
 * their own, and for an owner delete any.
 */
import type { PendingMessage } from "../../client/RoomClient.ts";
import type { MessageEvent, RoomEvent } from "../../protocol/frames.ts";
import { el, replaceChildren, uid } from "../dom.ts";
import { dayKey } from "../../client/chat/localDay.ts";
import { dayHeading } from "../readableText.ts";
import { eventElement, nameColor, richText } from "./eventView.ts";
import { menuButton, type MenuItem } from "./menu.ts";

/** Messages from one person closer together than this share one name line. */
const GROUP_MS = 5 * 60_000;
/** Within this many pixels of the end counts as "reading the newest". */
const NEAR_END_PX = 48;

interface ItemMeta {
  kind: "msg" | "other";
  from?: string;
  ts: number;
}

export type PendingStatus = { kind: "waiting" } | { kind: "sending" } | { kind: "failed"; reason: string };

export interface PendingActions {
  edit(message: PendingMessage): void;
  dismiss(id: string): void;
}

/** What the message menu does; each returns why it could not be sent, if it could not. */
export interface MessageActions {
  editMessage(seq: number, text: string): string | undefined;
  deleteMessage(seq: number): string | undefined;
}

export class Transcript {
  readonly element: HTMLElement;
  readonly #scroller: HTMLDivElement;
  readonly #list: HTMLOListElement;
  readonly #pendingList: HTMLOListElement;
  readonly #older: HTMLDivElement;
  readonly #olderButton: HTMLButtonElement;
  readonly #jump: HTMLButtonElement;
  readonly #bySeq = new Map<number, HTMLLIElement>();
  readonly #meta = new WeakMap<Element, ItemMeta>();
  /** The messages shown, as they are now (an edit or a delete replaces one). */
  readonly #messages = new Map<number, MessageEvent>();
  #owner = false;
  readonly #pending = new Map<string, { message: PendingMessage; element: HTMLLIElement; failed: boolean }>();
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

  readonly #onNeedOlder: () => void;
  readonly #actions: PendingActions & MessageActions;

  constructor(label: string, onNeedOlder: () => void, actions: PendingActions & MessageActions) {
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
    this.element = el("div", { class: "conversation" }, this.#scroller, this.#jump);
    this.#scroller.addEventListener("scroll", () => {
      this.#pinned = this.#isNearEnd();
      if (this.#pinned) this.#jump.hidden = true;
    }, { passive: true });
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
    const item = this.#eventItem(event);
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
      this.#relate(previous, item);
      fragment.append(item);
      previous = item;
    }
    const heightBefore = this.#scroller.scrollHeight;
    const topBefore = this.#scroller.scrollTop;
    this.#list.prepend(fragment);
    if (oldFirst instanceof HTMLElement) this.#relate(previous, oldFirst);
    this.#scroller.scrollTop = topBefore + (this.#scroller.scrollHeight - heightBefore);
  }

  /** A line from this app (command output, problems), not from the room. */
  notice(text: string, tone: "info" | "warning" | "error" = "info"): void {
    const item = el("li", { class: `item notice ${tone}` }, el("p", { class: "text" }, text));
    this.#meta.set(item, { kind: "other", ts: Date.now() });
    this.#insertAtEnd(item, true);
  }

  /** A "New" divider before the first event after `seq` (what arrived since this tab last showed the room). */
  markNewAfter(seq: number): void {
    let first: HTMLLIElement | undefined;
    let firstSeq = Infinity;
    for (const [s, item] of this.#bySeq) {
      if (s > seq && s < firstSeq) [first, firstSeq] = [item, s];
    }
    if (!first) return;
    this.#list.querySelector(".new-marker")?.remove();
    first.before(el("li", { class: "new-marker", role: "separator", "aria-label": "New since you were last here" }, "New"));
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

  scrollToEnd(): void {
    this.#scroller.scrollTop = this.#scroller.scrollHeight;
    this.#pinned = true;
    this.#jump.hidden = true;
  }

  // -- pending messages ----------------------------------------------------

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
    const children = [
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
    if (event.type === "edited" || event.type === "deleted") {
      // Shown in place, on the message; the item keeps the seq.
      item.hidden = true;
    } else {
      const isMessage = event.type === "message" && !("action" in event && event.action);
      this.#meta.set(item, isMessage ? { kind: "msg", from: event.from.id, ts: event.ts } : { kind: "other", ts: event.ts });
    }
    if (event.type === "message") {
      this.#messages.set(event.seq, event);
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
  }

  /** The message menu, on messages this member may edit or delete. */
  #addMenu(message: MessageEvent, item: HTMLLIElement): void {
    const mine = message.from.id === this.#selfId;
    if ("deleted" in message || !(mine || this.#owner)) return;
    const items = (): MenuItem[] => [
      ...(mine ? [{ label: "Edit", run: () => this.#editInPlace(message.seq) }] : []),
      { label: mine ? "Delete" : `Delete ${message.from.name}'s message`, run: () => this.#report(this.#actions.deleteMessage(message.seq)) },
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
