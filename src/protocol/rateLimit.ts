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

/**
 * Decides whether one more frame (or `cost` units, e.g. bytes) may pass at
 * `now`, given the stored `tat`.
 */
export function takeToken(tat: number, now: number, rule: RateRule, cost = 1): RateDecision {
  const interval = 1000 / rule.perSecond;
  const next = Math.max(tat, now) + interval * cost;
  const wait = next - now - interval * rule.burst;
  if (wait > 0) return { allowed: false, retryAfterMs: Math.ceil(wait) };
  return { allowed: true, tat: next, pressed: next - now > (interval * rule.burst) / 2 };
}

/** How many units the bucket would let through at `now`. */
export function tokensLeft(tat: number, now: number, rule: RateRule): number {
  const interval = 1000 / rule.perSecond;
  return Math.max(0, Math.floor((interval * rule.burst - (Math.max(tat, now) - now)) / interval));
}
