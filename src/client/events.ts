/** Facts about room events that both apps need, in one place. */
import { unreachable, type Member, type RoomEvent } from "../protocol/frames.ts";

/** Who did what an event tells: the sender, the one who joined or left, the owner who moderated. */
export function actorOf(event: RoomEvent): Member {
  switch (event.type) {
    case "message":
      return event.from;
    case "joined":
    case "left":
    case "renamed":
      return event.member;
    case "edited":
    case "deleted":
    case "reactions":
    case "kicked":
    case "banned":
    case "settings":
      return event.by;
    default:
      return unreachable(event);
  }
}
