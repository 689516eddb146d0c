/**
 * A visually hidden polite live region. New messages are spoken from here
 * rather than from the transcript, so a welcome replay or a page of older
 * history is not read out, only what is new.
 */
import { el } from "../dom.ts";

const KEEP = 5;

export class Announcer {
  readonly element = el("div", { class: "visually-hidden", "aria-live": "polite", "aria-atomic": "false", "data-testid": "announcer" });

  /** Speaks `text`; `seq`: the event it tells of, so its words can be taken back. */
  say(text: string, seq?: number): void {
    this.element.append(el("p", { "data-seq": seq }, text));
    while (this.element.childElementCount > KEEP) this.element.firstElementChild?.remove();
  }

  /** A message was deleted or edited: its old words leave the page (they were spoken already). */
  forget(seq: number): void {
    this.element.querySelector(`[data-seq="${seq}"]`)?.remove();
  }
}
