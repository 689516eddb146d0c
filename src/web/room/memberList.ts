/** Who is online, you first-class but not first: the room's order, which is join order. */
import type { Member } from "../../protocol/frames.ts";
import { el, replaceChildren } from "../dom.ts";
import { nameElement } from "./eventView.ts";

export class MemberList {
  readonly element: HTMLElement;
  readonly #heading: HTMLHeadingElement;
  readonly #list: HTMLUListElement;
  readonly #onCount: (count: number) => void;

  constructor(id: string, onCount: (count: number) => void) {
    this.#onCount = onCount;
    this.#heading = el("h2", { id: `${id}-heading` }, "Online");
    this.#list = el("ul", { class: "member-list" });
    this.element = el("aside", { id, class: "members", "aria-labelledby": `${id}-heading` }, this.#heading, this.#list);
  }

  render(members: readonly Member[], selfId: string | undefined): void {
    this.#heading.textContent = `Online (${members.length})`;
    replaceChildren(
      this.#list,
      ...members.map((m) =>
        el("li", { "data-member-id": m.id }, nameElement(m), m.id === selfId ? el("span", { class: "you" }, " (you)") : null),
      ),
    );
    this.#onCount(members.length);
  }
}
