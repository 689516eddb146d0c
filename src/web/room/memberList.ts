/**
 * Who is online, you first-class but not first: the room's order, which is
 * join order. A crowd has no list (the room only counts it): then the panel
 * says how many are here, and that the list is not kept.
 */
import type { RoomPresence } from "../../client/RoomClient.ts";
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

  render({ members, online, crowd }: RoomPresence, selfId: string | undefined): void {
    this.#heading.textContent = `Online (${online.toLocaleString()})`;
    if (crowd) {
      replaceChildren(this.#list, el("li", { class: "crowd-note" }, `${crowdSentence(online)} Rooms this big show a count, not a list.`));
    } else {
      replaceChildren(
        this.#list,
        ...members.map((m) =>
          el("li", { "data-member-id": m.id }, nameElement(m), m.id === selfId ? el("span", { class: "you" }, " (you)") : null),
        ),
      );
    }
    this.#onCount(online);
  }
}

/** "1,234 people are here." */
export function crowdSentence(online: number): string {
  return `${online.toLocaleString()} people are here.`;
}
