/**
 * The room page's frame: a header (home link, room name and topic,
 * connection state, search, the mention bell, share buttons, for owners the settings button and, on
 * narrow screens, the button that opens the member list), the settings
 * panel, the search panel, the conversation or the name form in the middle, the message box
 * under it, and the member list beside.
 */
import type { RoomAddress } from "../../protocol/validate.ts";
import { el, replaceChildren, type Child } from "../dom.ts";
import { icon } from "../icons.ts";
import { roomKey } from "../route.ts";
import { MemberList } from "./memberList.ts";
import { copyLinkButton, createdPanel, shareButton, type ShareOptions } from "./share.ts";

export interface RoomLayoutParts {
  address: RoomAddress;
  /** How people see the room: `#lobby`, "Private room". */
  label: string;
  share: ShareOptions;
  /** The room was just created here: offer its link at once. */
  created: boolean;
  status: HTMLElement;
  /** Under the conversation: banner, typing line, message box. */
  footer: Child[];
  /** Visually hidden, spoken. */
  announcer: HTMLElement;
  /** The person leaves through the home link. */
  onLeave(): void;
  /** Owners only: opens from the header's settings button. */
  settings: HTMLElement;
  /** The search panel, above the conversation, and the header's buttons before the share ones (search, the bell). */
  search: HTMLElement;
  tools: Child[];
  onSettings(): void;
}

export class RoomLayout {
  readonly members: MemberList;
  readonly #slot = el("div", { class: "slot" });
  readonly #footer: HTMLElement;
  readonly #membersToggle: HTMLButtonElement;
  readonly #settingsButton: HTMLButtonElement;
  readonly #name: HTMLElement;
  readonly #topic = el("p", { class: "room-topic", dir: "auto", hidden: true });
  readonly #address: RoomAddress;
  readonly #label: string;

  constructor(root: HTMLElement, parts: RoomLayoutParts) {
    const { address, label } = parts;
    this.#address = address;
    this.#label = label;
    this.#name = el("bdi", {}, label);
    this.#settingsButton = el(
      "button",
      { type: "button", class: "button secondary", "aria-expanded": "false", "aria-controls": parts.settings.id, hidden: true },
      // Only the icon on a phone, where the header also holds search and the bell.
      icon("sliders"),
      el("span", { class: "label-wide" }, "Settings"),
    );
    this.#settingsButton.addEventListener("click", () => parts.onSettings());
    const memberCount = el("span", { class: "member-count" }, "0");
    this.#membersToggle = el(
      "button",
      { type: "button", class: "button secondary members-toggle", "aria-expanded": "false", "aria-controls": "members" },
      icon("users"),
      el("span", { class: "visually-hidden" }, "People online: "),
      memberCount,
    );
    this.members = new MemberList("members", (count) => (memberCount.textContent = String(count)));

    const home = el("a", { href: "/", class: "home", "aria-label": "Parley home: leave this room" }, icon("back"), el("span", { class: "brand" }, "Parley"));
    home.addEventListener("click", () => parts.onLeave());
    const heading = el(
      "h1",
      { class: "room-title", title: address.kind === "public" ? label : `Private room ${roomKey(address)}` },
      address.kind === "private" ? icon("lock") : null,
      this.#name,
    );
    const body = el("div", { class: "room-body" });
    this.#membersToggle.addEventListener("click", () => {
      const open = body.classList.toggle("members-open");
      this.#membersToggle.setAttribute("aria-expanded", String(open));
    });
    this.#footer = el("div", { class: "room-footer", hidden: true }, ...parts.footer);
    const main = el("main", { class: "room-main", id: "main" }, parts.settings, parts.search, this.#slot, this.#footer);
    if (parts.created) main.prepend(createdPanel(parts.share.url, parts.share.title, parts.share.announce));
    body.append(main, this.members.element);
    this.#showMembers(false);
    replaceChildren(
      root,
      el(
        "div",
        { class: "room-page" },
        el(
          "header",
          { class: "room-header" },
          home,
          el("div", { class: "room-heading" }, heading, this.#topic),
          parts.status,
          el(
            "div",
            { class: "room-actions" },
            ...parts.tools,
            this.#settingsButton,
            copyLinkButton(parts.share, "compact"),
            shareButton(parts.share, "compact"),
            this.#membersToggle,
          ),
        ),
        body,
        parts.announcer,
      ),
    );
  }

  /**
   * The room's topic: a private room goes by it (its id is a secret), a
   * public one shows it under its name. Returns the name the room goes by.
   */
  setTopic(topic: string): string {
    const named = this.#address.kind === "private" && topic !== "";
    this.#name.textContent = named ? topic : this.#label;
    this.#topic.textContent = named ? "" : topic;
    this.#topic.hidden = named || topic === "";
    return named ? topic : this.#label;
  }

  /** Owners see the settings button; `open` says whether the panel is showing. */
  setSettingsButton(shown: boolean, open: boolean): void {
    this.#settingsButton.hidden = !shown;
    this.#settingsButton.setAttribute("aria-expanded", String(open));
  }

  /** Joined (or joining): the conversation, the message box and the member list. */
  showConversation(conversation: HTMLElement): void {
    replaceChildren(this.#slot, conversation);
    this.#footer.hidden = false;
    this.#showMembers(true);
  }

  /** Not joined: only the name form, which says who is here in its own words. */
  showNameForm(form: HTMLElement): void {
    this.#footer.hidden = true;
    this.#showMembers(false);
    replaceChildren(this.#slot, form);
  }

  #showMembers(shown: boolean): void {
    this.members.element.hidden = !shown;
    this.#membersToggle.hidden = !shown;
  }
}
