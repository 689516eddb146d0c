/**
 * The message box: Enter sends, Shift+Enter starts a new line, a counter
 * appears near the room's advertised text limit, and each change of the text
 * is passed on (the chat controller decides whether the room hears "typing").
 * Above it, while answering a message, a "Replying to NAME: snippet" bar
 * (× or Escape cancels); what is sent next goes as the reply.
 */
import { DEFAULT_LIMITS } from "../../protocol/limits.ts";
import { el, replaceChildren, uid } from "../dom.ts";
import { codePointLength } from "../readableText.ts";
import { nameColor } from "./eventView.ts";

export interface ComposerHandlers {
  /** Returns true when the text was taken (sent or carried out) and the box should empty. */
  submit(text: string, replyTo?: number): boolean;
  /** The text in the box changed to `draft`. */
  typing(draft: string): void;
}

export class Composer {
  readonly element: HTMLElement;
  readonly #form: HTMLFormElement;
  readonly #textarea: HTMLTextAreaElement;
  readonly #send: HTMLButtonElement;
  readonly #counter: HTMLElement;
  readonly #error: HTMLElement;
  readonly #replyBar: HTMLElement;
  #replyTo: number | undefined;
  readonly #handlers: ComposerHandlers;
  #textMax: number = DEFAULT_LIMITS.TEXT_MAX;
  #enabled = true;

  constructor(label: string, placeholder: string, handlers: ComposerHandlers) {
    this.#handlers = handlers;
    const id = uid("message");
    this.#counter = el("span", { class: "counter", id: `${id}-counter` });
    this.#error = el("span", { class: "composer-error", role: "alert", id: `${id}-error` });
    this.#replyBar = el("div", { class: "reply-bar", id: `${id}-reply`, hidden: true });
    this.#textarea = el("textarea", {
      id,
      rows: 1,
      placeholder,
      enterkeyhint: "send",
      autocomplete: "off",
      "aria-describedby": `${id}-reply ${id}-counter ${id}-error ${id}-hint`,
    });
    this.#send = el("button", { type: "submit", class: "send" }, "Send");
    this.#form = el(
      "form",
      { class: "composer" },
      el("label", { for: id, class: "visually-hidden" }, label),
      this.#textarea,
      this.#send,
    );
    this.element = el(
      "div",
      { class: "composer-area" },
      this.#replyBar,
      this.#form,
      el(
        "p",
        { class: "composer-footer" },
        el("span", { class: "hint", id: `${id}-hint` }, "Enter to send, Shift+Enter for a new line, /help for commands"),
        this.#error,
        this.#counter,
      ),
    );

    this.#textarea.addEventListener("keydown", (event) => {
      // isComposing: Enter that confirms an IME candidate must not send.
      if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.isComposing) {
        event.preventDefault();
        this.#form.requestSubmit();
      } else if (event.key === "Escape" && this.#replyTo !== undefined) {
        event.preventDefault();
        this.cancelReply();
      }
    });
    this.#textarea.addEventListener("input", () => {
      this.#error.textContent = "";
      this.#updateCounter();
      handlers.typing(this.#textarea.value);
    });
    this.#form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#submit();
    });
  }

  setTextMax(textMax: number): void {
    this.#textMax = textMax;
    this.#updateCounter();
  }

  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
    this.#textarea.disabled = !enabled;
    this.#updateCounter();
  }

  focus(): void {
    this.#textarea.focus();
  }

  get text(): string {
    return this.#textarea.value;
  }

  /** Puts text back to be edited (a message the room refused, a draft). */
  setText(text: string, focus = true): void {
    this.#textarea.value = text;
    this.#updateCounter();
    if (focus) this.focus();
  }

  /** What is sent next answers message `seq` (by `name`, starting `snippet`). */
  replyTo(seq: number, name: string, snippet: string): void {
    this.#replyTo = seq;
    const cancel = el("button", { type: "button", class: "reply-cancel", "aria-label": "Cancel reply" }, "×");
    cancel.addEventListener("click", () => {
      this.cancelReply();
      this.focus();
    });
    replaceChildren(
      this.#replyBar,
      el("p", {}, "Replying to ", el("bdi", { class: `name ${nameColor(name)}` }, name), ": ", el("bdi", { class: "snippet" }, snippet)),
      cancel,
    );
    this.#replyBar.hidden = false;
    this.focus();
  }

  cancelReply(): void {
    this.#replyTo = undefined;
    this.#replyBar.hidden = true;
    replaceChildren(this.#replyBar);
  }

  showError(message: string): void {
    this.#error.textContent = message;
  }

  #submit(): void {
    const value = this.#textarea.value;
    if (!this.#enabled || value.trim() === "") return;
    const over = this.#length() - this.#textMax;
    if (over > 0) {
      this.showError(`That is ${over} ${over === 1 ? "character" : "characters"} too long (at most ${this.#textMax}).`);
      return;
    }
    if (this.#handlers.submit(value, this.#replyTo)) {
      this.cancelReply();
      this.#textarea.value = "";
      this.#error.textContent = "";
      this.#updateCounter();
    }
  }

  #length(): number {
    return codePointLength(this.#textarea.value.replace(/\r\n?/g, "\n").trim());
  }

  #updateCounter(): void {
    const remaining = this.#textMax - this.#length();
    // Quiet until the limit is near: a tenth of it, at most 200 characters.
    const showFrom = Math.min(200, Math.ceil(this.#textMax / 10));
    this.#counter.textContent =
      remaining < 0 ? `${-remaining} over the limit` : remaining <= showFrom ? `${remaining} left` : "";
    this.#counter.classList.toggle("over", remaining < 0);
    this.#send.disabled = !this.#enabled || remaining < 0;
  }
}
