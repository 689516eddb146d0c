/** A message above the composer when the connection stopped for good, with what to do about it. */
import { el, replaceChildren } from "../dom.ts";

export interface BannerAction {
  label: string;
  run(): void;
}

export class Banner {
  readonly element = el("div", { class: "banner", role: "alert", hidden: true });

  show(message: string, action?: BannerAction): void {
    const button = action ? el("button", { type: "button", class: "button primary" }, action.label) : null;
    button?.addEventListener("click", () => action?.run());
    replaceChildren(this.element, el("p", {}, message), button);
    this.element.hidden = false;
    button?.focus();
  }

  hide(): void {
    this.element.hidden = true;
    replaceChildren(this.element);
  }
}
