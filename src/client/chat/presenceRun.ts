/**
 * Quieter presence, for both apps: a run of consecutive `joined` and `left`
 * events reads as one line, "ann, ben and 3 others joined; cat left".
 * Pure: the apps decide what a run is in their transcript (consecutive
 * events, and in the terminal a short wait for more), pass it here, and
 * show the result, escaping the names as they show them.
 *
 * What a run says about each member is where they ended up, by member id:
 * - joined (and did not leave): "joined"; left (and did not come back): "left";
 * - joined and left in the same run: "came and went";
 * - left and joined again (a reconnect after the grace period): "came back".
 * Renames are not part of runs: "ann is now anna" says something a count
 * would lose, so it ends a run and keeps its own line.
 */
import type { JoinedEvent, LeftEvent, Member, RoomEvent } from "../../protocol/frames.ts";

export type PresenceEvent = JoinedEvent | LeftEvent;

/** What a run says a member did, in the words both apps use. */
export type PresenceOutcome = "joined" | "left" | "came and went" | "came back";

/** Names shown in one clause at most; past that, the first two and "N others". */
export const PRESENCE_NAMES_SHOWN = 3;

/** One clause of the sentence: these members (each once, in the order they first appear), and this outcome. */
export interface PresenceClause {
  outcome: PresenceOutcome;
  members: Member[];
}

/** A piece of the sentence: words, or a member's name (for the app to escape and colour). */
export type PresencePart = { kind: "text"; text: string } | { kind: "member"; member: Member };

export function isPresenceEvent(event: RoomEvent): event is PresenceEvent {
  return event.type === "joined" || event.type === "left";
}

/** The clauses for a run of presence events, in the order each outcome first appears. */
export function presenceClauses(events: readonly PresenceEvent[]): PresenceClause[] {
  const byMember = new Map<string, { member: Member; first: PresenceEvent["type"]; last: PresenceEvent["type"] }>();
  for (const event of events) {
    const seen = byMember.get(event.member.id);
    if (seen) {
      seen.last = event.type;
      seen.member = event.member;
    } else byMember.set(event.member.id, { member: event.member, first: event.type, last: event.type });
  }
  const clauses = new Map<PresenceOutcome, Member[]>();
  for (const { member, first, last } of byMember.values()) {
    const outcome: PresenceOutcome =
      first === "joined" ? (last === "joined" ? "joined" : "came and went") : last === "left" ? "left" : "came back";
    const members = clauses.get(outcome) ?? [];
    members.push(member);
    clauses.set(outcome, members);
  }
  return [...clauses].map(([outcome, members]) => ({ outcome, members }));
}

/**
 * The sentence for a run as parts: "ann, ben and 3 others joined; cat left".
 * A clause names up to PRESENCE_NAMES_SHOWN members; with more, the first
 * two and how many others.
 */
export function presenceRunParts(events: readonly PresenceEvent[]): PresencePart[] {
  const parts: PresencePart[] = [];
  const text = (t: string) => parts.push({ kind: "text", text: t });
  presenceClauses(events).forEach(({ outcome, members }, i) => {
    if (i > 0) text("; ");
    const named = members.length > PRESENCE_NAMES_SHOWN ? members.slice(0, PRESENCE_NAMES_SHOWN - 1) : members;
    const others = members.length - named.length;
    named.forEach((member, j) => {
      if (j > 0) text(j === named.length - 1 && others === 0 ? " and " : ", ");
      parts.push({ kind: "member", member });
    });
    if (others > 0) text(` and ${others} others`);
    text(` ${outcome}`);
  });
  return mergeText(parts);
}

/** The sentence as one string, each member written by `name` (the raw name by default: escape it to show it). */
export function presenceRunText(events: readonly PresenceEvent[], name: (member: Member) => string = (m) => m.name): string {
  return presenceRunParts(events)
    .map((part) => (part.kind === "text" ? part.text : name(part.member)))
    .join("");
}

/** A transcript's events with each run of consecutive presence events gathered into one item. */
export type TranscriptItem<E extends RoomEvent = RoomEvent> = { kind: "event"; event: E } | { kind: "presence"; events: PresenceEvent[] };

/** Gathers each run of consecutive presence events in `events` (a run of one is a run too). */
export function groupPresence<E extends RoomEvent>(events: readonly E[]): TranscriptItem<E>[] {
  const items: TranscriptItem<E>[] = [];
  for (const event of events) {
    const last = items[items.length - 1];
    if (!isPresenceEvent(event)) items.push({ kind: "event", event });
    else if (last?.kind === "presence") last.events.push(event);
    else items.push({ kind: "presence", events: [event] });
  }
  return items;
}

function mergeText(parts: readonly PresencePart[]): PresencePart[] {
  const out: PresencePart[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if (part.kind === "text" && last?.kind === "text") last.text += part.text;
    else out.push({ ...part });
  }
  return out;
}
