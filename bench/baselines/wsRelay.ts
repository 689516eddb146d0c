/**
 * Baseline: a plain Node `ws` server relaying every text frame to every
 * socket of the same room (the sender included), the practical upper bound
 * for one process on this machine. Same URL shape as Parley
 * (`/api/rooms/<room>/ws`, `/api/health`), no protocol, no storage.
 *
 *   node bench/baselines/wsRelay.ts --port 8790
 *
 * Prints `listening <url>` once ready; stops on SIGTERM or SIGINT.
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { WebSocketServer, type WebSocket } from "ws";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" } } });
const ROOM_SOCKET = /^\/api\/rooms\/([a-z0-9_-]{1,64})\/ws$/;
const rooms = new Map<string, Set<WebSocket>>();

const http = createServer((request, response) => {
  if (request.url === "/api/health") {
    response.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
  } else {
    response.writeHead(404).end("not found");
  }
});

// No compression, like workerd's default for these sockets; no payload checks beyond ws's own.
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });

http.on("upgrade", (request, socket, head) => {
  const match = ROOM_SOCKET.exec(request.url ?? "");
  if (!match) {
    socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
    return;
  }
  const name = match[1] as string;
  wss.handleUpgrade(request, socket, head, (ws) => {
    let room = rooms.get(name);
    if (!room) rooms.set(name, (room = new Set()));
    const members = room;
    members.add(ws);
    ws.on("message", (data, isBinary) => {
      for (const peer of members) peer.send(data, { binary: isBinary });
    });
    ws.on("close", () => {
      members.delete(ws);
      if (members.size === 0) rooms.delete(name);
    });
    ws.on("error", () => ws.terminate());
  });
});

// A large backlog: the join storm opens many connections at once.
http.listen(Number(values.port), "127.0.0.1", 4096, () => {
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(`listening http://127.0.0.1:${port}`);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    http.close();
    process.exit(0);
  });
}
