import { describe, expect, it } from "vitest";
import { takeToken } from "../../src/protocol/rateLimit.ts";

const rule = { burst: 10, perSecond: 5 };

/** Sends `count` frames at time `now`, returning how many passed and the final state. */
function burst(count: number, now: number, tat = 0) {
  let passed = 0;
  let retryAfterMs = 0;
  for (let i = 0; i < count; i++) {
    const decision = takeToken(tat, now, rule);
    if (decision.allowed) {
      passed += 1;
      tat = decision.tat;
    } else {
      retryAfterMs = decision.retryAfterMs;
    }
  }
  return { passed, tat, retryAfterMs };
}

describe("takeToken (GCRA)", () => {
  it("lets a burst through at once, then refuses with the wait", () => {
    const { passed, retryAfterMs } = burst(15, 1_000_000);
    expect(passed).toBe(10);
    expect(retryAfterMs).toBe(200);
  });

  it("refills at the steady rate", () => {
    const first = burst(10, 1_000_000);
    expect(burst(1, 1_000_000 + 199, first.tat).passed).toBe(0);
    expect(burst(1, 1_000_000 + 200, first.tat).passed).toBe(1);
    // After 1 s, 5 more frames pass, not 6.
    expect(burst(10, 1_000_000 + 1000, first.tat).passed).toBe(5);
  });

  it("never saves up more than the burst, however long the pause", () => {
    const first = burst(10, 0);
    expect(burst(50, 3_600_000, first.tat).passed).toBe(10);
  });

  it("says when over half the burst is spent (the room then persists the state)", () => {
    const pressedAfter = (frames: number) => {
      let tat = 0;
      let pressed = false;
      for (let i = 0; i < frames; i++) {
        const decision = takeToken(tat, 1_000_000, rule);
        if (!decision.allowed) throw new Error("refused");
        tat = decision.tat;
        pressed = decision.pressed;
      }
      return pressed;
    };
    expect(pressedAfter(1)).toBe(false);
    expect(pressedAfter(5)).toBe(false);
    expect(pressedAfter(6)).toBe(true);
    // One frame per interval, forever, never spends the burst.
    let tat = 0;
    for (let t = 0; t < 10_000; t += 200) {
      const decision = takeToken(tat, 1_000_000 + t, rule);
      if (!decision.allowed) throw new Error("refused");
      expect(decision.pressed).toBe(false);
      tat = decision.tat;
    }
  });
});
