/** A RoomSession listener for unit tests: every callback does nothing unless the test gives its own. */
import type { RoomSessionListener } from "../../../src/client/roomSession.ts";

export function listener(overrides: Partial<RoomSessionListener> = {}): RoomSessionListener {
  const ignore = () => {};
  return {
    welcome: ignore,
    event: ignore,
    welcomeDelivered: ignore,
    replayDone: ignore,
    presence: ignore,
    typing: ignore,
    newcomer: ignore,
    error: ignore,
    malformed: ignore,
    down: ignore,
    closed: ignore,
    ...overrides,
  };
}
