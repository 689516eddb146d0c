/**
 * A visually hidden polite live region. New messages are spoken from here
 * rather than from the transcript, so a welcome replay or a page of older
 * history is not read out, only what is new.
 */
import { el } from "../dom.ts";

const KEEP = 5;

export class Announcer {
  readonly element = el("div", { class: "visually-hidden", "aria-live": "polite", "aria-atomic": "false", "data-testid": "announcer" });

  say(text: string): void {
    this.element.append(el("p", {}, text));
    while (this.element.childElementCount > KEEP) this.element.firstElementChild?.remove();
  }
}
