/**
 * The element for one room event. Everything a user wrote goes in as text
 * nodes (see dom.ts); message text is formatted by richText.ts.
 * Each name and each message text is isolated for bidirectional text (a
 * `<bdi>`, `dir="auto"`), so right-to-left text or an override character in
 * one cannot reorder what is around it.
 */
import { unreachable, type Member, type ReactionCounts, type ReplyQuote, type RoomEvent, type RoomSettings } from "../../protocol/frames.ts";
import { el, type Child } from "../dom.ts";
import { localeDateTime, localeTime } from "../readableText.ts";
import { richText, showMore } from "./richText.ts";

export { richText };

export const NAME_COLORS = 12;

/**
 * The same name always gets the same colour, in every tab and on every
 * reload: FNV-1a over its code points, mixed (short names that differ in one
 * letter spread), then one of NAME_COLORS (.c0 … .c11 in app.css).
 */
export function nameColor(name: string): string {
  let hash = 0x811c9dc5;
  for (const char of name) hash = Math.imul(hash ^ char.codePointAt(0)!, 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x45d9f3b);
  hash ^= hash >>> 16;
  return `c${(hash >>> 0) % NAME_COLORS}`;
}

export function nameElement(member: Member): HTMLElement {
  return el("bdi", { class: `name ${nameColor(member.name)}` }, member.name);
}

/** "(edited)", with when in its tooltip. */
function editedMark(edited: number | undefined): Child {
  return edited === undefined ? null : el("span", { class: "edited", title: `Edited ${localeDateTime(edited)}` }, " (edited)");
}

export function timeElement(ts: number): HTMLTimeElement {
  return el("time", { datetime: new Date(ts).toISOString(), title: localeDateTime(ts) }, localeTime(ts));
}


/**
 * What a reply answers, above its text: a button that goes to the original
 * (transcript.ts handles its clicks by `data-to`).
 */
export function quoteElement(quote: ReplyQuote): HTMLButtonElement {
  const gone = "deleted" in quote;
  const said = gone ? "original message deleted" : `${quote.snippet}${quote.edited ? " (edited)" : ""}`;
  return el(
    "button",
    { type: "button", class: "quote", "data-to": quote.seq, "aria-label": `In reply to ${quote.from.name}: ${said}`, title: "Show the original message" },
    nameElement(quote.from),
    " ",
    gone ? el("span", { class: "gone" }, "Original message deleted") : el("bdi", { class: "snippet" }, quote.snippet),
    !gone && quote.edited && el("span", { class: "edited" }, " (edited)"),
  );
}

/** A message's reactions as chips ("👍 3"), pressed when one is `mine`; transcript.ts handles their clicks by `data-emoji`. */
export function reactionChips(counts: ReactionCounts | undefined, mine: (emoji: string) => boolean): HTMLElement | null {
  const chips = Object.entries(counts ?? {}).map(([emoji, count]) => {
    const yours = mine(emoji);
    const label = `${emoji} ${count} reaction${count === 1 ? "" : "s"}${yours ? ", including yours; press to take yours back" : "; press to add yours"}`;
    return el("button", { type: "button", class: "chip", "data-emoji": emoji, "aria-pressed": String(yours), "aria-label": label }, `${emoji} ${count}`);
  });
  return chips.length ? el("div", { class: "reactions", role: "group", "aria-label": "Reactions" }, ...chips) : null;
}

export function eventElement(event: RoomEvent, selfId: string | undefined): HTMLLIElement {
  switch (event.type) {
    case "message":
      if ("deleted" in event) {
        return el(
          "li",
          { class: "item msg deleted", "data-seq": event.seq },
          el("p", { class: "meta" }, nameElement(event.from), " ", timeElement(event.ts)),
          el("p", { class: "text" }, "Message deleted"),
        );
      }
      // Someone else's message that mentions this member: marked, and said ("mentions you").
      const mention = event.from.id !== selfId && selfId !== undefined && event.mentions?.includes(selfId) === true;
      const hint = mention && el("span", { class: "visually-hidden" }, ", mentions you");
      // A div: a fenced block (`<pre>`) may be in it. A long text is collapsed, with "Show more".
      if (event.action) {
        const line = el("div", { class: "text", dir: "auto" }, "* ", nameElement(event.from), " ", ...richText(event.text), editedMark(event.edited), hint);
        return el(
          "li",
          { class: `item action${mention ? " mention" : ""}`, "data-seq": event.seq },
          event.replyTo && quoteElement(event.replyTo),
          timeElement(event.ts),
          line,
          showMore(line, event.text),
        );
      }
      const body = el("div", { class: "text", dir: "auto" }, ...richText(event.text), editedMark(event.edited));
      return el(
        "li",
        { class: `item msg${event.from.id === selfId ? " mine" : mention ? " mention" : ""}`, "data-seq": event.seq },
        el("p", { class: "meta" }, nameElement(event.from), " ", timeElement(event.ts), hint),
        event.replyTo && quoteElement(event.replyTo),
        body,
        showMore(body, event.text),
      );
    case "joined":
      return presence(event.seq, event.ts, "joined", nameElement(event.member), " joined");
    case "left":
      return presence(event.seq, event.ts, "left", nameElement(event.member), " left");
    case "renamed":
      return presence(event.seq, event.ts, "renamed", el("bdi", { class: "name" }, event.from), " is now ", nameElement(event.member));
    case "edited":
      return presence(event.seq, event.ts, "edited", nameElement(event.by), " edited a message");
    case "deleted":
      return presence(event.seq, event.ts, "deleted", nameElement(event.by), " deleted a message");
    case "reactions":
      return presence(event.seq, event.ts, "reactions", nameElement(event.by), ` reacted ${event.emoji}`);
    case "kicked":
      return presence(event.seq, event.ts, "kicked", nameElement(event.member), " was kicked by ", nameElement(event.by));
    case "banned":
      return presence(event.seq, event.ts, "banned", nameElement(event.member), " was banned by ", nameElement(event.by));
    case "settings":
      return presence(event.seq, event.ts, "settings", nameElement(event.by), ` changed the room's settings: ${settingsSummary(event)}`);
    default:
      return unreachable(event);
  }
}

/** "topic “Book club”, slow mode 10 s, locked" */
function settingsSummary({ topic, slowModeSeconds, locked }: RoomSettings): string {
  return [topic ? `topic “${topic}”` : "no topic", slowModeSeconds ? `slow mode ${slowModeSeconds} s` : "no slow mode", locked ? "locked" : "open"].join(", ");
}

function presence(seq: number, ts: number, kind: string, ...text: Child[]): HTMLLIElement {
  return el("li", { class: `item presence ${kind}`, "data-seq": seq }, timeElement(ts), el("p", { class: "text" }, ...text));
}

/** The words a screen reader announces for a new event. */
export function spokenEvent(event: RoomEvent): string {
  switch (event.type) {
    case "message":
      if ("deleted" in event) return `${event.from.name}: message deleted`;
      return event.action ? `${event.from.name} ${event.text}` : `${event.from.name}: ${event.text}`;
    case "joined":
      return `${event.member.name} joined`;
    case "left":
      return `${event.member.name} left`;
    case "renamed":
      return `${event.from} is now ${event.member.name}`;
    case "edited":
      return `${event.by.name} edited a message`;
    case "deleted":
      return `${event.by.name} deleted a message`;
    case "reactions":
      return `${event.by.name} reacted ${event.emoji}`;
    case "kicked":
      return `${event.member.name} was kicked by ${event.by.name}`;
    case "banned":
      return `${event.member.name} was banned by ${event.by.name}`;
    case "settings":
      return `${event.by.name} changed the room's settings: ${settingsSummary(event)}`;
    default:
      return unreachable(event);
  }
}
