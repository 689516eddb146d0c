/**
 * Who is online, you first-class but not first: the room's order, which is
 * join order. A crowd has no list (the room only counts it): then the panel
 * says how many are here, and that the list is not kept; an owner gets the
 * full list anyway, a page at a time (the `members` frame).
 *
 * For an owner each other member has a menu: kick, or ban for a while or
 * until unbanned, each with an optional reason asked for in place.
 */
import type { RoomPresence } from "../../client/RoomClient.ts";
import type { Member } from "../../protocol/frames.ts";
import { TOPIC_MAX } from "../../protocol/limits.ts";
import { el, replaceChildren, uid } from "../dom.ts";
import { nameElement } from "./eventView.ts";
import { menuButton, type MenuItem } from "./menu.ts";

/** What an owner can do to a member; each returns why it could not be sent, if it could not. */
export interface Moderation {
  kick(member: string, reason?: string): string | undefined;
  ban(member: string, minutes: number | undefined, reason?: string): string | undefined;
}

/** The ban lengths offered, in minutes (undefined: until unbanned). */
export const BAN_CHOICES: readonly { label: string; minutes?: number }[] = [
  { label: "10 minutes", minutes: 10 },
  { label: "1 hour", minutes: 60 },
  { label: "1 day", minutes: 1440 },
  { label: "until unbanned" },
];

export class MemberList {
  readonly element: HTMLElement;
  readonly #heading: HTMLHeadingElement;
  readonly #list: HTMLUListElement;
  readonly #more = el("button", { type: "button", class: "link-button", hidden: true }, "Show more");
  readonly #onCount: (count: number) => void;
  #moderation: Moderation | undefined;
  #selfId: string | undefined;

  constructor(id: string, onCount: (count: number) => void) {
    this.#onCount = onCount;
    this.#heading = el("h2", { id: `${id}-heading` }, "Online");
    this.#list = el("ul", { class: "member-list" });
    this.element = el("aside", { id, class: "members", "aria-labelledby": `${id}-heading` }, this.#heading, this.#list, this.#more);
  }

  /** Owners moderate from the list; undefined for everyone else. */
  setModeration(moderation: Moderation | undefined): void {
    this.#moderation = moderation;
  }

  render({ members, online, crowd }: RoomPresence, selfId: string | undefined): void {
    this.#selfId = selfId;
    this.#heading.textContent = `Online (${online.toLocaleString()})`;
    this.#more.hidden = true;
    if (crowd) {
      replaceChildren(this.#list, el("li", { class: "crowd-note" }, `${crowdSentence(online)} Rooms this big show a count, not a list.`));
    } else {
      replaceChildren(this.#list, ...members.map((m) => this.#item(m)));
    }
    this.#onCount(online);
  }

  /**
   * An owner's page of everyone online (crowds too): `first` starts the list
   * over; `more` fetches the next page, if there is one.
   */
  showPage(members: readonly Member[], first: boolean, more: (() => void) | undefined): void {
    if (first) replaceChildren(this.#list);
    this.#list.querySelector(".crowd-note")?.remove();
    this.#list.append(...members.filter((m) => !this.#has(m.id)).map((m) => this.#item(m)));
    this.#more.hidden = !more;
    this.#more.onclick = more ? () => more() : null;
  }

  /** An owner hears of a newcomer in a crowd: listed at once. */
  addNewcomer(member: Member): void {
    if (!this.#has(member.id) && !this.#list.querySelector(".crowd-note")) this.#list.append(this.#item(member));
  }

  #has(id: string): boolean {
    return [...this.#list.children].some((li) => li instanceof HTMLElement && li.dataset.memberId === id);
  }

  #item(member: Member): HTMLLIElement {
    const you = member.id === this.#selfId;
    const item = el(
      "li",
      { "data-member-id": member.id },
      nameElement(member),
      you ? el("span", { class: "you" }, " (you)") : null,
      member.role === "owner" ? el("span", { class: "role" }, " owner") : null,
    );
    const moderation = this.#moderation;
    if (moderation && !you) {
      const ask = (action: string, send: (reason?: string) => string | undefined) => () => item.append(reasonForm(item, action, send));
      const items: MenuItem[] = [
        { label: "Kick…", run: ask(`Kick ${member.name}`, (reason) => moderation.kick(member.id, reason)) },
        ...BAN_CHOICES.map((choice) => ({
          label: `Ban ${choice.label}…`,
          run: ask(`Ban ${member.name} ${choice.label}`, (reason) => moderation.ban(member.id, choice.minutes, reason)),
        })),
      ];
      item.append(menuButton(`Moderate ${member.name}`, "⋯", () => items));
    }
    return item;
  }
}

/** Asks for an optional reason under the member, then sends; Escape or Cancel drops it. */
function reasonForm(item: HTMLElement, action: string, send: (reason?: string) => string | undefined): HTMLFormElement {
  item.querySelector(".reason-form")?.remove();
  const id = uid("reason");
  const input = el("input", { id, type: "text", maxlength: TOPIC_MAX, autocomplete: "off" });
  const problem = el("p", { class: "form-error", role: "alert" });
  const cancel = el("button", { type: "button", class: "button secondary" }, "Cancel");
  const form = el(
    "form",
    { class: "reason-form", "aria-label": action },
    el("label", { for: id }, "Reason (optional)"),
    input,
    el("div", { class: "edit-actions" }, el("button", { type: "submit", class: "button primary danger" }, action), cancel),
    problem,
  );
  const done = () => {
    form.remove();
    item.querySelector<HTMLElement>(".menu-button")?.focus();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const reason = input.value.trim();
    const failed = send(reason === "" ? undefined : reason);
    if (failed) problem.textContent = failed;
    else done();
  });
  cancel.addEventListener("click", done);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") done();
  });
  queueMicrotask(() => input.focus());
  return form;
}

/** "1,234 people are here." */
export function crowdSentence(online: number): string {
  return `${online.toLocaleString()} people are here.`;
}
