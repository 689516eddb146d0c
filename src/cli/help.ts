/** `parley --help`. */
import { COMMAND_HELP } from "./terminalCommands.ts";
import { DEFAULT_TIMEOUT_S, DEFAULT_URL } from "./args.ts";

export const HELP = `Usage: parley <room> [options]
       parley <room link> [options]
       parley <owner link> [options]
       parley <message link> [options]
       npm run chat -- <room> [options]

Chat in a Parley room from a terminal. <room> is a public room name
(1-64 of a-z 0-9 - _) or a private room's 64-hex id; a room link such as
https://parley.example.workers.dev/r/lobby names the server and the room.
An owner link (…/r/lobby#owner=KEY, from the browser's room settings) also
makes you the room's owner. A message link (…/r/lobby#m42, the browser's
"Copy link") shows that message once you are in, with what came just before
and after it (not with --json, which prints the room's events only).

Options:
  -n, --name NAME      your name in the room (default: your user name)
  -u, --url URL        the server (default: ${DEFAULT_URL})
      --json           print each room event (messages, joins, edits, deletes,
                       reactions, kicks, bans, settings) as one JSON line,
                       exactly as the server sent it (history first); notices
                       go to stderr
  -q, --quiet          join to read: nobody is told you joined, left or changed
                       your name, and no member list shows you (a crowd's
                       count includes you); you can still send messages
  -t, --timeout SECS   give up joining, or waiting for the room to acknowledge
                       messages before leaving, after SECS (default: ${DEFAULT_TIMEOUT_S})
      --owner-key KEY  join as the room's owner (moderate: /kick, /ban, /topic…);
                       PARLEY_OWNER_KEY in the environment does the same and
                       keeps the key out of the process list. The key is sent
                       in the join frame only, never printed or put in a URL
  -h, --help           show this help

Interactive use (stdin is a terminal): history, then live messages; type to
chat. Each message starts with its number (#42), which /edit, /delete,
/reply and /react take; a reply has the start of what it answers on a line
above it (↳ #41 alice: …), and reactions show after a message (👍 3) and as a
line when someone reacts. A message that mentions you (@yourname) is
highlighted and rings the terminal's bell. With colour, **bold**, _italic_,
\`code\`, fenced \`\`\` blocks and links show styled (without, as written); a
message taller than 12 rows is cut (/show #SEQ prints it all), and a run of
joins and leaves is one line. /search lists matching messages as
"#42 13:05 alice: …", newest first; /more shows older ones. Commands (owners'
ones answer "Only owners can …" to others):
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
  3    refused by the server: no such private room, name refused or taken,
       room full or locked, session taken over by another connection
  4    removed from the room by an owner (kicked); you may join again
  5    banned from the room (removed, or refused when joining)
  130  interrupted (Ctrl-C, SIGINT); 143 terminated (SIGTERM); 129 hung up (SIGHUP)
`;
