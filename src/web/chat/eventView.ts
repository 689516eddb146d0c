/**
 * The element for one room event. Everything a user wrote goes in as text
 * nodes (see dom.ts); links become anchors built from linkify's parts.
 * Each name and each message text is isolated for bidirectional text (a
 * `<bdi>`, `dir="auto"`), so right-to-left text or an override character in
 * one cannot reorder what is around it.
 */
import { unreachable, type Member, type RoomEvent, type RoomSettings } from "../../protocol/frames.ts";
import { el, type Child } from "../dom.ts";
import { localeDateTime, localeTime } from "../readableText.ts";
import { linkify } from "../../client/linkify.ts";

export const NAME_COLORS = 8;

/** The same name always gets the same colour, in every tab and on every reload. */
export function nameColor(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return `c${hash % NAME_COLORS}`;
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

/** Message text with http(s) links made clickable; they never carry a referrer or window.opener. */
export function richText(text: string): Child[] {
  return linkify(text).map((part) =>
    part.kind === "text" ? part.text : el("a", { href: part.href, target: "_blank", rel: "noopener noreferrer", dir: "ltr" }, part.text),
  );
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
      if (event.action) {
        return el(
          "li",
          { class: "item action", "data-seq": event.seq },
          timeElement(event.ts),
          el("p", { class: "text", dir: "auto" }, "* ", nameElement(event.from), " ", ...richText(event.text), editedMark(event.edited)),
        );
      }
      return el(
        "li",
        { class: event.from.id === selfId ? "item msg mine" : "item msg", "data-seq": event.seq },
        el("p", { class: "meta" }, nameElement(event.from), " ", timeElement(event.ts)),
        el("p", { class: "text", dir: "auto" }, ...richText(event.text), editedMark(event.edited)),
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
