/**
 * The element for one room event. Everything a user wrote goes in as text
 * nodes (see dom.ts); links become anchors built from linkify's parts.
 */
import type { Member, RoomEvent } from "../../protocol/frames.ts";
import { el, type Child } from "../dom.ts";
import { formatFull, formatTime } from "../format.ts";
import { linkify } from "../linkify.ts";

export const NAME_COLORS = 8;

/** The same name always gets the same colour, in every tab and on every reload. */
export function nameColor(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return `c${hash % NAME_COLORS}`;
}

export function nameElement(member: Member): HTMLElement {
  return el("span", { class: `name ${nameColor(member.name)}` }, member.name);
}

export function timeElement(ts: number): HTMLTimeElement {
  return el("time", { datetime: new Date(ts).toISOString(), title: formatFull(ts) }, formatTime(ts));
}

/** Message text with http(s) links made clickable; they never carry a referrer or window.opener. */
export function richText(text: string): Child[] {
  return linkify(text).map((part) =>
    part.kind === "text" ? part.text : el("a", { href: part.href, target: "_blank", rel: "noopener noreferrer" }, part.text),
  );
}

export function eventElement(event: RoomEvent, selfId: string | undefined): HTMLLIElement {
  switch (event.type) {
    case "message":
      if (event.action) {
        return el(
          "li",
          { class: "item action", "data-seq": event.seq },
          timeElement(event.ts),
          el("p", { class: "text" }, "* ", nameElement(event.from), " ", ...richText(event.text)),
        );
      }
      return el(
        "li",
        { class: event.from.id === selfId ? "item msg mine" : "item msg", "data-seq": event.seq },
        el("p", { class: "meta" }, nameElement(event.from), " ", timeElement(event.ts)),
        el("p", { class: "text" }, ...richText(event.text)),
      );
    case "joined":
      return presence(event.seq, event.ts, "joined", nameElement(event.member), " joined");
    case "left":
      return presence(event.seq, event.ts, "left", nameElement(event.member), " left");
    case "renamed":
      return presence(event.seq, event.ts, "renamed", el("span", { class: "name" }, event.from), " is now ", nameElement(event.member));
  }
}

function presence(seq: number, ts: number, kind: string, ...text: Child[]): HTMLLIElement {
  return el("li", { class: `item presence ${kind}`, "data-seq": seq }, timeElement(ts), el("p", { class: "text" }, ...text));
}

/** The words a screen reader announces for a new event. */
export function spokenEvent(event: RoomEvent): string {
  switch (event.type) {
    case "message":
      return event.action ? `${event.from.name} ${event.text}` : `${event.from.name}: ${event.text}`;
    case "joined":
      return `${event.member.name} joined`;
    case "left":
      return `${event.member.name} left`;
    case "renamed":
      return `${event.from} is now ${event.member.name}`;
  }
}
