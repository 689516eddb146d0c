/** "alice is typing…" under the transcript, for a few seconds after each notice. */
import type { Member } from "../../protocol/frames.ts";
import { el } from "../dom.ts";
import { typingText } from "../readableText.ts";

/** Senders repeat the notice every 3 s while typing; a little longer covers a late one. */
const SHOW_MS = 4500;

export class TypingIndicator {
  // Not a live region: announcing every keystroke pause would drown out the messages.
  readonly element = el("p", { class: "typing" });
  readonly #typing = new Map<string, { name: string; timer: ReturnType<typeof setTimeout> }>();

  add(member: Member): void {
    clearTimeout(this.#typing.get(member.id)?.timer);
    const timer = setTimeout(() => this.remove(member.id), SHOW_MS);
    this.#typing.set(member.id, { name: member.name, timer });
    this.#render();
  }

  /** They sent their message, or left. */
  remove(memberId: string): void {
    const entry = this.#typing.get(memberId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#typing.delete(memberId);
    this.#render();
  }

  clear(): void {
    for (const id of [...this.#typing.keys()]) this.remove(id);
  }

  #render(): void {
    this.element.textContent = typingText([...this.#typing.values()].map((t) => t.name));
  }
}
