/**
 * Rate limit as a GCRA token bucket: the whole state is one number (the
 * "theoretical arrival time"), so the room keeps it in a WebSocket attachment
 * with no timer that would keep it awake. Clients run the same bucket with the
 * limits the welcome advertises, to pace themselves instead of being refused.
 */
export interface RateRule {
  burst: number;
  perSecond: number;
}

export type RateDecision =
  | {
      allowed: true;
      tat: number;
      /** More than half the burst is spent: the bucket needs over half its refill time to be full again. */
      pressed: boolean;
    }
  | { allowed: false; retryAfterMs: number };

/** Decides whether one more frame may pass at `now`, given the stored `tat`. */
export function takeToken(tat: number, now: number, rule: RateRule): RateDecision {
  const interval = 1000 / rule.perSecond;
  const tolerance = interval * (rule.burst - 1);
  const start = Math.max(tat, now);
  const wait = start - now - tolerance;
  if (wait > 0) return { allowed: false, retryAfterMs: Math.ceil(wait) };
  const next = start + interval;
  return { allowed: true, tat: next, pressed: next - now > (interval * rule.burst) / 2 };
}
