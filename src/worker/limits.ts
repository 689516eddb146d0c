/** The limits the Worker itself applies (room creation, /echo); a bad setting is logged and its default used. */
import { readLimits, type Limits } from "../protocol/limits.ts";
import { log } from "../shared/log.ts";

export function workerLimits(env: Env): Limits {
  return readLimits(env, (key, raw) => log("config_invalid", { key, raw: String(raw) }));
}
