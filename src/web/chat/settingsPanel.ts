/**
 * The room's settings, for its owners: the topic (a private room's name),
 * slow mode, the lock, the bans in force with a button to lift each, and the
 * owner link to hand moderation on. It opens from the header.
 */
import type { Ban, RoomSettings } from "../../protocol/frames.ts";
import { TOPIC_MAX } from "../../protocol/limits.ts";
import { el, replaceChildren, uid } from "../dom.ts";
import { localeDateTime } from "../readableText.ts";
import { nameElement } from "./eventView.ts";
import { copyText } from "./share.ts";

/** What the panel does; the first three return why it could not be sent, if it could not. */
export interface SettingsActions {
  save(changes: Partial<RoomSettings>): string | undefined;
  unban(ban: string): string | undefined;
  /** The bans in force; null when they could not be asked for (offline). */
  bans(): Promise<readonly Ban[] | null>;
  /** The owner link, or null when this browser holds no key (an ADMIN_KEY owner…). */
  ownerLink(): string | null;
  announce(text: string): void;
}

const SLOW_CHOICES = [0, 5, 10, 30, 60, 300];

export class SettingsPanel {
  readonly element: HTMLElement;
  readonly #actions: SettingsActions;
  readonly #topic: HTMLInputElement;
  readonly #slow: HTMLSelectElement;
  readonly #locked: HTMLInputElement;
  readonly #status = el("p", { class: "hint", role: "status" });
  readonly #bans = el("ul", { class: "ban-list" });
  readonly #ownerLink: HTMLButtonElement;
  #settings: RoomSettings = { topic: "", slowModeSeconds: 0, locked: false };

  constructor(id: string, actions: SettingsActions, close: () => void) {
    this.#actions = actions;
    const ids = { topic: uid("topic"), slow: uid("slow"), locked: uid("locked") };
    this.#topic = el("input", { id: ids.topic, type: "text", maxlength: TOPIC_MAX, autocomplete: "off", "aria-describedby": `${ids.topic}-hint` });
    this.#slow = el("select", { id: ids.slow });
    this.#locked = el("input", { id: ids.locked, type: "checkbox", "aria-describedby": `${ids.locked}-hint` });
    const form = el(
      "form",
      { class: "settings-form" },
      el("label", { for: ids.topic }, "Topic"),
      this.#topic,
      el("p", { class: "hint", id: `${ids.topic}-hint` }, "Shown in the header; a private room goes by it."),
      el("label", { for: ids.slow }, "Slow mode"),
      this.#slow,
      el("p", { class: "check" }, this.#locked, el("label", { for: ids.locked }, "Locked")),
      el("p", { class: "hint", id: `${ids.locked}-hint` }, "Only people already in the room and owners can join."),
      el("button", { type: "submit", class: "button primary" }, "Save settings"),
      this.#status,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const failed = this.#actions.save({ topic: this.#topic.value.trim(), slowModeSeconds: Number(this.#slow.value), locked: this.#locked.checked });
      this.#status.textContent = failed ?? "Saving…";
    });
    this.#ownerLink = el("button", { type: "button", class: "button secondary" }, "Copy owner link");
    this.#ownerLink.addEventListener("click", async () => {
      const link = this.#actions.ownerLink();
      const copied = link !== null && (await copyText(link));
      this.#actions.announce(copied ? "Owner link copied. Anyone who has it can moderate this room." : "Could not copy the owner link.");
    });
    const closeButton = el("button", { type: "button", class: "link-button" }, "Close");
    closeButton.addEventListener("click", close);
    this.element = el(
      "section",
      { id, class: "settings-panel", "aria-labelledby": `${id}-heading`, hidden: true },
      el("h2", { id: `${id}-heading` }, "Room settings"),
      form,
      el("h3", {}, "Banned"),
      this.#bans,
      el("h3", {}, "Owner link"),
      el("p", { class: "hint" }, "Whoever opens it moderates this room, like you. Keep it secret."),
      this.#ownerLink,
      closeButton,
    );
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
    });
  }

  /** The room's settings changed (or the welcome said what they are). */
  show(settings: RoomSettings): void {
    this.#settings = settings;
    if (this.element.hidden) return;
    this.#fill();
    this.#status.textContent = "";
  }

  /** Opens with the current settings and asks the room for its bans. */
  open(): void {
    this.element.hidden = false;
    this.#fill();
    this.#ownerLink.hidden = this.#actions.ownerLink() === null;
    void this.refreshBans();
    this.#topic.focus();
  }

  /** Asks again for the bans in force (after a ban or an unban). */
  async refreshBans(): Promise<void> {
    if (this.element.hidden) return;
    const bans = await this.#actions.bans();
    if (bans === null) return replaceChildren(this.#bans, el("li", { class: "hint" }, "Not connected."));
    if (bans.length === 0) return replaceChildren(this.#bans, el("li", { class: "hint" }, "Nobody is banned."));
    replaceChildren(this.#bans, ...bans.map((ban) => this.#banItem(ban)));
  }

  #banItem(ban: Ban): HTMLLIElement {
    const unban = el("button", { type: "button", class: "button secondary", "aria-label": `Unban ${ban.member.name}` }, "Unban");
    unban.addEventListener("click", () => {
      const failed = this.#actions.unban(ban.ban);
      if (failed) this.#actions.announce(failed);
      else void this.refreshBans();
    });
    const until = ban.until === undefined ? "until unbanned" : `until ${localeDateTime(ban.until)}`;
    return el("li", {}, el("span", {}, nameElement(ban.member), ` ${until}`, ban.reason ? `: ${ban.reason}` : ""), unban);
  }

  #fill(): void {
    const { topic, slowModeSeconds, locked } = this.#settings;
    this.#topic.value = topic;
    const choices = SLOW_CHOICES.includes(slowModeSeconds) ? SLOW_CHOICES : [...SLOW_CHOICES, slowModeSeconds].sort((a, b) => a - b);
    replaceChildren(
      this.#slow,
      ...choices.map((s) => el("option", { value: s, selected: s === slowModeSeconds }, s === 0 ? "Off" : `One message per ${s} s`)),
    );
    this.#locked.checked = locked;
  }
}
