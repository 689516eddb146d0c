/** `parley --help`. */
import { COMMAND_HELP } from "./commands.ts";
import { DEFAULT_TIMEOUT_S, DEFAULT_URL } from "./args.ts";

export const HELP = `Usage: parley <room> [options]
       parley <room link> [options]
       npm run chat -- <room> [options]

Chat in a Parley room from a terminal. <room> is a public room name
(1-64 of a-z 0-9 - _) or a private room's 64-hex id; a room link such as
https://parley.example.workers.dev/r/lobby names the server and the room.

Options:
  -n, --name NAME      your name in the room (default: your user name)
  -u, --url URL        the server (default: ${DEFAULT_URL})
      --json           print each room event as one JSON line, exactly as the
                       server sent it (history first); notices go to stderr
  -t, --timeout SECS   give up joining, or waiting for the room to acknowledge
                       messages before leaving, after SECS (default: ${DEFAULT_TIMEOUT_S})
  -h, --help           show this help

Interactive use (stdin is a terminal): history, then live messages; type to
chat. Commands:
${COMMAND_HELP.map((line) => `  ${line}`).join("\n")}

Scripted use (stdin is not a terminal, or --json): every non-empty input line
is sent as one message, verbatim (no commands); the client leaves when stdin
ends and every message is acknowledged. The transcript goes to stdout,
notices and errors to stderr.
  echo hello | parley lobby --name bot
  parley lobby --json < /dev/null      (print the recent history and leave)

It reconnects by itself after a dropped connection and resumes where it left
off: nothing is missed or shown twice. Colours only on a terminal; NO_COLOR or
FORCE_COLOR=0 turn them off.

Exit codes:
  0    left normally; every message sent was acknowledged
  1    could not reach the server or join in time, or messages were not
       acknowledged (or refused for their content)
  2    usage error: unknown option, invalid room, name or URL
  3    refused by the server: no such private room, name refused, room full,
       session taken over by another connection
  130  interrupted (Ctrl-C, SIGINT); 143 terminated (SIGTERM); 129 hung up (SIGHUP)
`;
