/**
 * Who is in the room, as far as this client knows: the member list from the
 * welcome, kept current by joined, left and renamed events; in a crowd only
 * the number online, from `presence` frames, which replace everything.
 */
import type { Received } from "../protocol/decode.ts";
import { unreachable, type Member, type PresenceFrame, type RoomEvent, type WelcomeFrame } from "../protocol/frames.ts";

/** Who is in the room, as far as this client knows. */
export interface RoomPresence {
  /** Everyone online, in joining order; empty in a crowd. */
  members: readonly Member[];
  online: number;
  /** A crowd counts people instead of listing them (protocol: PresenceFrame). */
  crowd: boolean;
}

export class PresenceModel {
  #current: RoomPresence = { members: [], online: 0, crowd: false };
  /** The latest welcome's lastSeq: its member list already includes every event up to it. */
  #coveredSeq = 0;

  /** A new value after every change, so a listener may keep the one it was given. */
  get current(): RoomPresence {
    return this.#current;
  }

  /** Everything from a welcome, which also covers the events it replays. */
  welcome(welcome: Received<WelcomeFrame>): RoomPresence {
    this.#coveredSeq = welcome.lastSeq;
    // Below a crowd the list is the count: the welcome's `online` also counts
    // quiet readers and held reconnects, whom no later event adds or removes,
    // so a number from it would change at the next join for no visible reason.
    const crowd = welcome.crowd === true;
    const online = crowd && typeof welcome.online === "number" ? welcome.online : welcome.members.length;
    this.#current = { members: [...welcome.members], online, crowd };
    return this.#current;
  }

  /**
   * Applies a joined, left or renamed event to the list; true if it changed.
   * A crowd keeps no list, and events the welcome covered are already in it.
   */
  event(event: RoomEvent): boolean {
    const { members, crowd } = this.#current;
    if (crowd || event.seq <= this.#coveredSeq) return false;
    let next: Member[];
    switch (event.type) {
      case "joined":
        if (members.some((m) => m.id === event.member.id)) return false;
        next = [...members, event.member];
        break;
      case "left":
        next = members.filter((m) => m.id !== event.member.id);
        break;
      case "renamed":
        next = members.map((m) => (m.id === event.member.id ? event.member : m));
        break;
      // A kicked or banned member's sockets close: their `left` follows.
      case "message":
      case "edited":
      case "deleted":
      case "reactions":
      case "kicked":
      case "banned":
      case "settings":
        return false;
      default:
        return unreachable(event);
    }
    this.#current = { members: next, online: next.length, crowd: false };
    return true;
  }

  /** A presence frame replaces everything: a count in a crowd, the whole list when it stops being one. */
  frame(frame: PresenceFrame): RoomPresence {
    this.#current = frame.crowd
      ? { members: [], online: frame.online, crowd: true }
      : { members: frame.members, online: frame.online, crowd: false };
    return this.#current;
  }
}
