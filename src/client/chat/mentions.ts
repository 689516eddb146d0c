/**
 * Mentions, as both apps see them: the room decides who a message mentions
 * (`@name` of members online when it was sent, src/room/mentions.ts) and
 * lists their ids on the message; a client only looks itself up there.
 */
import type { RoomEvent } from "../../protocol/frames.ts";

/** Whether `message` (a message event, not deleted) mentions the member `selfId`. False for anything else. */
export function mentionsMe(message: RoomEvent, selfId: string | undefined): boolean {
  if (selfId === undefined || message.type !== "message" || "deleted" in message) return false;
  return Array.isArray(message.mentions) && message.mentions.includes(selfId);
}
