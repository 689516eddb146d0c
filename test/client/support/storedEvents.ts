/**
 * Every event a room keeps, read the way a client resumes from the start:
 * a RoomClient joining with `since: 0`, which pages on through a replay the
 * room caps (REPLAY_MAX_EVENTS). harness/transcripts.ts' storedHistory reads
 * only the capped replay.
 */
import { RoomClient, roomSocketUrl } from "../../../src/client/RoomClient.ts";
import type { RoomEvent } from "../../../src/protocol/frames.ts";

/** The room's events, oldest first, without the reader's own joined event. */
export function storedEvents(baseUrl: string, room: string, timeoutMs = 20_000): Promise<RoomEvent[]> {
  const reader = new RoomClient({ url: roomSocketUrl(baseUrl, room), name: "auditor", since: 0 });
  const events: RoomEvent[] = [];
  let self: string | undefined;
  reader.on("welcome", ({ welcome }) => (self = welcome.self.id));
  reader.on("event", (event) => events.push(event));
  return new Promise<RoomEvent[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      reader.close();
      reject(new Error(`reading the stored events of ${room} timed out after ${events.length}`));
    }, timeoutMs);
    // The reader's own joined event comes after everything stored before it: the end of the replay.
    reader.on("event", (event) => {
      if (event.type !== "joined" || event.member.id !== self) return;
      clearTimeout(timer);
      reader.close();
      resolve(events.filter((e) => e !== event));
    });
    reader.connect();
  });
}
