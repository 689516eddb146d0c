/**
 * Mentions while the tab is in the background: a system notification, only
 * once the person asked for it with the header's bell ("Notify me when
 * mentioned", a toggle: the browser's permission prompt comes from that
 * click, never on its own). The choice is remembered by this browser.
 * Clicking the notification brings the tab back on the message.
 */
import type { SpokenMessage } from "../../protocol/frames.ts";
import { el } from "../dom.ts";
import { icon } from "../icons.ts";
import { loadNotifyMentions, saveNotifyMentions } from "../storage.ts";

const LABEL = "Notify me when mentioned";

export class MentionAlerts {
  /** The bell; null where the browser has no notifications. */
  readonly element: HTMLButtonElement | null = null;
  #on = false;
  readonly #room: string;
  readonly #open: (seq: number) => void;
  readonly #say: (text: string) => void;

  /** `room` as people see it; `open` shows a message in the conversation; `say` speaks (and shows) a sentence. */
  constructor(room: string, open: (seq: number) => void, say: (text: string) => void) {
    this.#room = room;
    this.#open = open;
    this.#say = say;
    if (typeof Notification !== "function") return;
    const button = el("button", { type: "button", class: "button secondary", "aria-label": LABEL, title: LABEL }, icon("bell"));
    button.addEventListener("click", () => void this.#toggle());
    this.element = button;
    this.#set(loadNotifyMentions() && Notification.permission === "granted");
  }

  /** A message mentioning this member arrived (not replayed): notifies when asked to and the tab is hidden. */
  mentioned(message: SpokenMessage): void {
    if (!this.#on || !document.hidden || Notification.permission !== "granted") return;
    const shown = new Notification(`${message.from.name} mentioned you in ${this.#room}`, { body: message.text, tag: `parley-${message.seq}` });
    shown.onclick = () => {
      window.focus();
      shown.close();
      this.#open(message.seq);
    };
  }

  async #toggle(): Promise<void> {
    const on = !this.#on && (await Notification.requestPermission()) === "granted";
    this.#set(on);
    saveNotifyMentions(on);
    this.#say(
      on ? "You will be notified when someone mentions you while this tab is in the background."
      : Notification.permission === "denied" ? "Notifications are blocked for this site; allow them in the browser's settings."
      : "Notifications for mentions are off.",
    );
  }

  #set(on: boolean): void {
    this.#on = on;
    this.element?.setAttribute("aria-pressed", String(on));
  }
}
