/**
 * Searching the room's messages: the header's Search button (or Ctrl/Cmd+K)
 * opens a box above the conversation; Enter asks the room (full-text, every
 * word, newest first) and the results list under it, each with its name,
 * time and snippet, the words the room matched marked (case and accents
 * folded, the last word as a prefix; `<mark>` nodes, never markup). A
 * result opens its message in the conversation; "Show older
 * results" asks for the next page. The arrows move between the box and the
 * results; Escape closes the panel and gives the focus back. A typed
 * `/search WORDS` shows its answer here too.
 */
import type { SearchFrame, SearchResult } from "../../protocol/frames.ts";
import { SEARCH_QUERY_MAX } from "../../protocol/limits.ts";
import { el, replaceChildren, type Child } from "../dom.ts";
import { searchHighlights } from "../../client/chat/searchMatch.ts";
import { icon } from "../icons.ts";
import { nameElement, timeElement } from "./eventView.ts";

export interface SearchActions {
  /** Asks the room; null when not connected. */
  find(q: string, before?: number): Promise<SearchFrame | null>;
  /** Shows message `seq` in the conversation. */
  open(seq: number): void;
}

export class SearchPanel {
  readonly element: HTMLElement;
  /** The header's button. */
  readonly button: HTMLButtonElement;
  readonly #actions: SearchActions;
  readonly #box: HTMLInputElement;
  readonly #status = el("p", { class: "hint", role: "status" });
  readonly #list = el("ul", { class: "results", "aria-label": "Results" });
  readonly #more = el("button", { type: "button", class: "link-button", hidden: true }, "Show older results");
  #q = "";
  #oldest: number | undefined;
  /** Answers to earlier questions are dropped when they come late. */
  #asked = 0;
  #returnTo: HTMLElement | null = null;

  constructor(id: string, actions: SearchActions) {
    this.#actions = actions;
    this.#box = el("input", { id: `${id}-q`, type: "search", maxlength: SEARCH_QUERY_MAX, autocomplete: "off", enterkeyhint: "search" });
    this.button = el(
      "button",
      { type: "button", class: "button secondary", "aria-label": "Search messages", "aria-keyshortcuts": "Control+K Meta+K", "aria-expanded": "false", "aria-controls": id, title: "Search (Ctrl+K)" },
      icon("search"),
      el("span", { class: "label-wide" }, "Search"),
    );
    this.button.addEventListener("click", () => (this.element.hidden ? this.open() : this.close()));
    const form = el(
      "form",
      { class: "search-form", role: "search" },
      el("label", { for: this.#box.id, class: "visually-hidden" }, "Search messages"),
      this.#box,
      el("button", { type: "submit", class: "button primary" }, "Search"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#find(this.#box.value.trim());
    });
    const close = el("button", { type: "button", class: "link-button" }, "Close");
    close.addEventListener("click", () => this.close());
    this.#more.addEventListener("click", () => void this.#find(this.#q, this.#oldest));
    this.#list.addEventListener("click", (event) => {
      const result = (event.target as Element).closest<HTMLElement>(".result");
      if (result) this.#actions.open(Number(result.dataset.seq));
    });
    this.element = el("section", { id, class: "search-panel", "aria-label": "Search messages", hidden: true }, form, this.#status, this.#list, this.#more, close);
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        // The box, then each result: the arrows go through them.
        const stops = [this.#box, ...this.#list.querySelectorAll<HTMLElement>(".result")];
        const at = stops.indexOf(document.activeElement as HTMLElement);
        if (at < 0) return;
        event.preventDefault();
        stops[Math.max(0, Math.min(stops.length - 1, at + (event.key === "ArrowDown" ? 1 : -1)))]!.focus();
      }
    });
    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
        event.preventDefault();
        this.open();
      }
    });
  }

  /** Opens (or goes back to) the box, its text selected; `focus` false leaves the focus where it is. */
  open(focus = true): void {
    if (this.element.hidden) {
      this.#returnTo = document.activeElement as HTMLElement | null;
      this.#toggle(true);
    }
    if (focus) {
      this.#box.focus();
      this.#box.select();
    }
  }

  close(): void {
    if (this.element.hidden) return;
    this.#toggle(false);
    (this.#returnTo?.isConnected ? this.#returnTo : this.button).focus();
  }

  /** A typed `/search`'s answer (null: not connected). */
  show(q: string, found: SearchFrame | null): void {
    this.open(false);
    if (q) this.#box.value = q;
    this.#asked += 1;
    this.#showFound(q, found, undefined);
  }

  #toggle(open: boolean): void {
    this.element.hidden = !open;
    this.button.setAttribute("aria-expanded", String(open));
  }

  async #find(q: string, before?: number): Promise<void> {
    if (q === "") return;
    const asked = ++this.#asked;
    this.#status.textContent = "Searching…";
    const found = await this.#actions.find(q, before);
    if (asked === this.#asked) this.#showFound(q, found, before);
  }

  #showFound(q: string, found: SearchFrame | null, before: number | undefined): void {
    if (!found) {
      this.#status.textContent = "Not connected; search again once the connection is back.";
      return;
    }
    const { results, hasMore } = found;
    const items = results.map((result) => resultItem(result, q));
    if (before === undefined) replaceChildren(this.#list, ...items);
    else this.#list.append(...items);
    this.#q = q;
    this.#oldest = results.at(-1)?.seq ?? this.#oldest;
    this.#more.hidden = !hasMore;
    const count = this.#list.childElementCount;
    this.#status.textContent =
      count === 0 ? `No messages with “${q}”.` : `${count}${hasMore ? "+" : ""} message${count === 1 ? "" : "s"} with “${q}”, newest first.`;
  }
}

function resultItem(result: SearchResult, q: string): HTMLLIElement {
  return el(
    "li",
    {},
    el(
      "button",
      { type: "button", class: "result", "data-seq": result.seq },
      el("span", { class: "meta" }, nameElement(result.from), " ", timeElement(result.ts)),
      el("bdi", { class: "snippet" }, ...marked(result.snippet, q)),
    ),
  );
}

/** `text` with the words the room matched for `q` in `<mark>`s (as text nodes, like everything): "cafe" marks "Café". */
export function marked(text: string, q: string): Child[] {
  const parts: Child[] = [];
  let at = 0;
  for (const { start, end } of searchHighlights(text, q)) {
    parts.push(text.slice(at, start), el("mark", {}, text.slice(start, end)));
    at = end;
  }
  parts.push(text.slice(at));
  return parts;
}
