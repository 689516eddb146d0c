#!/usr/bin/env node
/**
 * parley: the terminal client. `npm run chat -- <room>` runs this file with
 * Node's type stripping; the `parley` bin runs the same code bundled into one
 * JS file (scripts/build-cli.mjs). See help.ts for the command line.
 */
import { userInfo } from "node:os";
import { DEFAULT_LIMITS } from "../protocol/limits.ts";
import { normalizeName } from "../protocol/validate.ts";
import { parseCliArgs } from "./args.ts";
import { EXIT } from "./exitCodes.ts";
import { HELP } from "./help.ts";
import { checkRoom } from "./preflight.ts";
import { runChat } from "./terminalChat.ts";

/** The default name: the user's login name if it is a valid name, else "guest". */
function defaultName(): string {
  try {
    const name = normalizeName(userInfo().username, DEFAULT_LIMITS.NAME_MAX);
    if (name.ok) return name.value;
  } catch {
    // no user database entry (some containers)
  }
  return "guest";
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseCliArgs(argv, defaultName(), process.env);
  if (parsed.kind === "help") {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (parsed.kind === "usage") {
    process.stderr.write(`parley: ${parsed.message}\nTry 'parley --help' for more information.\n`);
    return EXIT.usage;
  }
  if (typeof WebSocket === "undefined") {
    process.stderr.write(`parley: needs Node.js 22 or newer (a global WebSocket); this is Node.js ${process.version}\n`);
    return EXIT.failure;
  }
  const { options } = parsed;
  const checked = await checkRoom(options.baseUrl, options.room, Math.min(options.timeoutMs, 10_000));
  if (!("info" in checked)) {
    process.stderr.write(`parley: ${checked.message}\n`);
    return checked.code;
  }
  return runChat(options, checked.info, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Leave on our own once the goodbye is sent; don't let a stray handle keep us.
setTimeout(() => process.exit(code), 2000).unref();
