/**
 * Sharing a room: a Copy link button everywhere, the system share sheet
 * where the browser has one, and, right after creating a private room, a
 * panel with the link ready to copy.
 */
import { el } from "../dom.ts";
import { icon } from "../icons.ts";

/** Copies with the Clipboard API; falls back to selecting `field` and the legacy copy command. */
export async function copyText(text: string, field?: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!field) return false;
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    }
  }
}

function canShare(url: string): boolean {
  return typeof navigator.share === "function" && (typeof navigator.canShare !== "function" || navigator.canShare({ url }));
}

export interface ShareOptions {
  url: string;
  title: string;
  /** Speaks the outcome (copied, or how to copy by hand). */
  announce(text: string): void;
  /** A text field showing the link, selected when copying needs the keyboard. */
  field?: HTMLInputElement;
}

export function copyLinkButton(options: ShareOptions, variant: "compact" | "full" = "full"): HTMLButtonElement {
  const label = el("span", { class: variant === "compact" ? "label-wide" : "label" }, "Copy link");
  const button = el("button", { type: "button", class: "button secondary copy-link", "aria-label": "Copy link to this room" }, icon("link"), label);
  let reset: ReturnType<typeof setTimeout> | undefined;
  button.addEventListener("click", async () => {
    const copied = await copyText(options.url, options.field);
    clearTimeout(reset);
    label.textContent = copied ? "Copied" : "Copy failed";
    options.announce(copied ? "Link copied to the clipboard" : "Could not copy; select the link and copy it by hand");
    reset = setTimeout(() => (label.textContent = "Copy link"), 2000);
  });
  return button;
}

/** The share sheet button, or null where the browser has none (most desktops). */
export function shareButton(options: ShareOptions, variant: "compact" | "full" = "full"): HTMLButtonElement | null {
  if (!canShare(options.url)) return null;
  const button = el(
    "button",
    { type: "button", class: "button secondary", "aria-label": "Share this room" },
    icon("share"),
    el("span", { class: variant === "compact" ? "label-wide" : "label" }, "Share"),
  );
  button.addEventListener("click", () => {
    navigator.share({ title: options.title, url: options.url }).catch(() => undefined); // cancelled: nothing to do
  });
  return button;
}

/**
 * Shown once on a room just created: the link, selected, with the buttons
 * next to it. "Done" or Escape closes it, and the keyboard focus goes back
 * to where it was before it came into the panel (else to the message box).
 */
export function createdPanel(url: string, title: string, announce: (text: string) => void): HTMLElement {
  const field = el("input", { type: "text", readonly: true, value: url, class: "share-url", "aria-label": "Room link" });
  field.addEventListener("focus", () => field.select());
  const options: ShareOptions = { url, title, announce, field };
  const close = el("button", { type: "button", class: "link-button" }, "Done");
  const panel = el(
    "section",
    { class: "created-panel", "aria-labelledby": "created-heading" },
    el("h2", { id: "created-heading" }, "Your private room is ready"),
    el("p", {}, "Anyone with this link can join. Send it to the people you want here."),
    el("div", { class: "share-row" }, field, copyLinkButton(options), shareButton(options)),
    close,
  );
  let before: HTMLElement | null = null;
  panel.addEventListener("focusin", (event) => {
    const from = event.relatedTarget;
    if (from instanceof HTMLElement && !panel.contains(from)) before = from;
  });
  const done = () => {
    const hadFocus = panel.contains(document.activeElement);
    const back = before?.isConnected ? before : document.querySelector<HTMLElement>("main textarea:not([disabled])");
    panel.remove();
    if (hadFocus) back?.focus();
  };
  close.addEventListener("click", done);
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    event.stopPropagation();
    done();
  });
  return panel;
}
