/**
 * Which reactions on which messages are this member's own: the chips' "mine"
 * (aria-pressed) and whether pressing one adds or takes back.
 *
 * The room tells counts, not who reacted; only a `reactions` event names who
 * (`by`). A page sees the events from its welcome's replay onwards, so after
 * a reload it would not know about its older reactions. The choice here,
 * kept simple: every reactions event by this member that the page sees live
 * or replayed (in order, so the last word wins) updates a per-room list in
 * localStorage, the newest KEEP entries, and that list answers. It belongs to
 * one member id: a browser that joins as someone else starts afresh. Events
 * from scrolling back are older than what the list knows and are ignored.
 * What it cannot know (a reaction made on another device, one older than the
 * list) shows as not mine; pressing then adds, and the room answers with the
 * true count.
 */
import type { ReactionsEvent } from "../../protocol/frames.ts";
import { loadMyReactions, saveMyReactions } from "../storage.ts";

const KEEP = 500;

export class MyReactions {
  readonly #room: string;
  #member = "";
  #mine: string[] = [];

  constructor(room: string) {
    this.#room = room;
  }

  /** The member this page is (from each welcome): another member's list is dropped. */
  setMember(id: string): void {
    this.#member = id;
    this.#load();
  }

  has(seq: number, emoji: string): boolean {
    return this.#mine.includes(`${seq} ${emoji}`);
  }

  /** A reactions event by this member, live or replayed. */
  note({ target, emoji, on }: ReactionsEvent): void {
    this.#load(); // another tab of this browser may have written since
    const entry = `${target} ${emoji}`;
    this.#mine = this.#mine.filter((e) => e !== entry);
    if (on) this.#mine.push(entry);
    this.#mine = this.#mine.slice(-KEEP);
    saveMyReactions(this.#room, { member: this.#member, mine: this.#mine });
  }

  #load(): void {
    const saved = loadMyReactions(this.#room);
    this.#mine = saved?.member === this.#member ? saved.mine : [];
  }
}
