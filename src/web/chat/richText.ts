/**
 * Message text with light formatting (format.ts, shared with the terminal):
 * `<strong>`, `<em>`, `<code>`, fenced blocks as `<pre><code>`, and links.
 * Everything is built from text nodes (dom.ts); nothing a user wrote is ever
 * parsed as HTML. Links never carry a referrer or window.opener.
 *
 * A long message is shown collapsed (a max-height in app.css), with a "Show
 * more" button that appears only when the text really overflows, measured
 * where it is shown (width, font, fences) by one shared ResizeObserver.
 */
import { formatBlocks, type InlineSpan } from "../../client/format.ts";
import { el, uid, type Child } from "../dom.ts";

/** Texts shorter than this, in characters and lines, cannot fill the collapsed height (12 lines) at any width a phone has. */
const LONG_CHARS = 360;
const LONG_LINES = 11;

function spanNode(span: InlineSpan): Child {
  switch (span.kind) {
    case "bold":
      return el("strong", {}, span.text);
    case "italic":
      return el("em", {}, span.text);
    case "code":
      return el("code", {}, span.text);
    case "link":
      return el("a", { href: span.href, target: "_blank", rel: "noopener noreferrer nofollow", dir: "ltr" }, span.text);
    default:
      return span.text;
  }
}

/** `text` formatted, as nodes to put in a message's `.text`. */
export function richText(text: string): Child[] {
  return formatBlocks(text).flatMap((block) =>
    block.kind === "code" ? [el("pre", { dir: "ltr", "data-lang": block.lang }, el("code", {}, block.text))] : block.spans.map(spanNode),
  );
}

let observer: ResizeObserver | undefined;
const toggles = new WeakMap<Element, HTMLButtonElement>();

/** Shows the button only while the collapsed text overflows (an open one keeps it, to close again). */
function fit(body: Element): void {
  const button = toggles.get(body);
  if (!button || body.classList.contains("open")) return;
  const over = body.scrollHeight > body.clientHeight + 2;
  button.hidden = !over;
  body.classList.toggle("over", over);
}

/**
 * For a message's `.text` element `body` showing `text`: null for a short
 * text, else `body` collapsed and its "Show more" button (hidden until the
 * text is seen to overflow), to go right after it.
 */
export function showMore(body: HTMLElement, text: string): HTMLButtonElement | null {
  if (text.length < LONG_CHARS && text.split("\n").length < LONG_LINES) return null;
  body.id = uid("text");
  body.classList.add("long");
  const button = el("button", { type: "button", class: "link-button more", "aria-expanded": "false", "aria-controls": body.id, hidden: true }, "Show more");
  button.addEventListener("click", () => {
    const open = body.classList.toggle("open");
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? "Show less" : "Show more";
    if (!open) {
      fit(body);
      button.scrollIntoView({ block: "nearest" });
    }
  });
  toggles.set(body, button);
  observer ??= new ResizeObserver((entries) => entries.forEach((entry) => fit(entry.target)));
  observer.observe(body);
  return button;
}
