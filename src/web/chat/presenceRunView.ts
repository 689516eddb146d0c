/**
 * Quieter presence in the browser: a run of consecutive joins and leaves
 * shows as one line, "ann, ben and 3 others joined; cat left", worded by
 * presenceRun.ts as the terminal words it.
 *
 * Every event keeps its own item in the transcript (every seq is listed
 * once, as with edits): the first of a run is its line, the others are
 * hidden, empty items after it. What is hidden (edits, deletes, reactions, the
 * rest of a run) does not end a run; anything shown does (a message, a
 * rename, a notice), and so does a new day. A join or leave that arrives
 * live after a run's line joins it and redraws that line.
 *
 * The screen reader hears joins and leaves the same way: gathered for a
 * moment and said as one sentence, not one announcement each.
 */
import { isPresenceEvent, presenceRunText, presenceRunParts, type PresenceEvent } from "../../client/chat/presenceRun.ts";
import { dayKey } from "../../client/chat/localDay.ts";
import type { RoomEvent } from "../../protocol/frames.ts";
import { replaceChildren } from "../dom.ts";
import { nameElement, timeElement } from "./eventView.ts";

/** How long joins and leaves are gathered before they are spoken. */
const SPEAK_AFTER_MS = 1500;

export class PresenceRuns {
  /** Each run's line (its first item) and its events, in order. */
  readonly #runs = new WeakMap<Element, PresenceEvent[]>();

  /**
   * The item for `event` goes right after `before` (null: at the top). A
   * join or leave after a run (of the same day) joins it: the item is
   * hidden and the run's line redrawn. Otherwise it starts a run.
   */
  place(item: HTMLElement, event: RoomEvent, before: Element | null): void {
    if (!isPresenceEvent(event)) return;
    const line = this.#lineBefore(before);
    const run = line && this.#runs.get(line);
    if (line && run && dayKey(run[run.length - 1]!.ts) === dayKey(event.ts)) {
      hide(item);
      this.#draw(line, [...run, event]);
    } else this.#runs.set(item, [event]);
  }

  /**
   * Older items were put above `first` (the old first item), the last of
   * them `last`: a run ending the page and one starting what was shown
   * become one (the earlier line says it all).
   */
  seam(last: Element | null, first: Element | null): void {
    while (first instanceof HTMLElement && first.hidden) first = first.nextElementSibling;
    const later = first && this.#runs.get(first);
    const line = this.#lineBefore(last);
    const run = line && this.#runs.get(line);
    if (!later || !line || !run || dayKey(run[run.length - 1]!.ts) !== dayKey(later[0]!.ts)) return;
    hide(first as HTMLElement);
    this.#runs.delete(first!);
    this.#draw(line, [...run, ...later]);
  }

  /** The shown item at or before `item`, if it is a run's line. */
  #lineBefore(item: Element | null): Element | undefined {
    while (item instanceof HTMLElement && item.hidden) item = item.previousElementSibling;
    return item && this.#runs.has(item) ? item : undefined;
  }

  /** The run's sentence, at the time of its last event; its arrow says which ways people went (app.css). */
  #draw(line: Element, events: PresenceEvent[]): void {
    this.#runs.set(line, events);
    const text = line.querySelector(".text");
    if (text) replaceChildren(text, ...presenceRunParts(events).map((part) => (part.kind === "text" ? part.text : nameElement(part.member))));
    line.querySelector("time")?.replaceWith(timeElement(events[events.length - 1]!.ts));
    line.classList.toggle("joined", events.some((e) => e.type === "joined"));
    line.classList.toggle("left", events.some((e) => e.type === "left"));
  }
}

/** The rest of a run: listed (its seq), not shown, and with no words of its own to find. */
function hide(item: HTMLElement): void {
  item.hidden = true;
  item.replaceChildren();
}

/**
 * Speaks joins and leaves (`add`) together: those within SPEAK_AFTER_MS of
 * the first as one sentence. `flush` speaks what is gathered now (before
 * other news, to keep the order).
 */
export function presenceSpeaker(say: (text: string) => void): { add(event: PresenceEvent): void; flush(): void } {
  let events: PresenceEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (events.length) say(presenceRunText(events));
    events = [];
  };
  return {
    add(event) {
      events.push(event);
      timer ??= setTimeout(flush, SPEAK_AFTER_MS);
    },
    flush,
  };
}
