/**
 * The always-visible connection state: connecting, live, reconnecting (or
 * offline, when the browser knows there is no network), disconnected.
 */
import type { ConnectionState } from "../../client/RoomClient.ts";
import { el } from "../dom.ts";

export type ShownState = ConnectionState | "idle" | "offline";

const LABELS: Record<ShownState, string> = {
  idle: "Not joined",
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  closed: "Disconnected",
};

export class ConnectionStatus {
  readonly element: HTMLElement;
  readonly #pill: HTMLElement;
  readonly #retry: HTMLButtonElement;
  #state: ConnectionState | "idle" = "idle";

  constructor(onRetry: () => void) {
    // role=status: state changes are announced politely.
    this.#pill = el("span", { class: "status", role: "status", "data-state": "idle" }, LABELS.idle);
    this.#retry = el("button", { type: "button", class: "link-button retry", hidden: true }, "Retry now");
    this.#retry.addEventListener("click", onRetry);
    this.element = el("div", { class: "status-area" }, this.#pill, this.#retry);
    window.addEventListener("online", () => this.#render());
    window.addEventListener("offline", () => this.#render());
  }

  set(state: ConnectionState | "idle"): void {
    this.#state = state;
    this.#render();
  }

  #render(): void {
    const shown: ShownState = this.#state === "reconnecting" && !navigator.onLine ? "offline" : this.#state;
    this.#pill.dataset.state = shown;
    this.#pill.textContent = LABELS[shown];
    this.#retry.hidden = shown !== "reconnecting";
  }
}
