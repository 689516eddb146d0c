/**
 * The room's one alarm, shared by every part that has something to do later
 * (a held presence batch, a reconnect grace period ending, a crowd's log
 * summary). A part calls `wake(at)` when it starts waiting; the room's alarm
 * handler calls each part's `due(now)`, and a part that still waits for
 * something later asks again. Nothing else sets the alarm, so no part needs
 * to know about the others, and nobody has to take a minimum by hand.
 *
 * Delayed work uses the alarm, never a timer: a timer would keep an idle room
 * awake (and billed), while an alarm lets it hibernate and wakes it on time.
 * Each `setAlarm` is billed as a row written, so the alarm is only moved
 * earlier, never later: asking for a time after the one already set costs
 * nothing, and the part asks again when the earlier alarm has run.
 */

/** What a part of the room is given to ask for the alarm. */
export type Wake = (at: number) => void;

export class Alarm {
  readonly #storage: DurableObjectStorage;
  readonly #onError: (error: unknown) => void;
  /** The time the alarm is set for, as far as this instance knows; null when none. */
  #at: number | null = null;

  constructor(storage: DurableObjectStorage, onError: (error: unknown) => void) {
    this.#storage = storage;
    this.#onError = onError;
  }

  /** Makes sure the alarm goes off at `at` or earlier. */
  readonly wake: Wake = (at) => {
    if (this.#at !== null && this.#at <= at) return;
    this.#at = at;
    this.#storage.setAlarm(at).catch(this.#onError);
  };

  /**
   * The alarm went off (call first thing in the handler): it is no longer
   * set, and whoever still waits asks again from their `due`.
   */
  fired(): void {
    this.#at = null;
  }
}
