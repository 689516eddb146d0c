/** `/echo`: a diagnostic WebSocket that sends every frame straight back. */
export function handleEcho(): Response {
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  // The standard default is Blob; ArrayBuffer can be sent straight back.
  server.binaryType = "arraybuffer";
  // Close frames are answered by the runtime (web_socket_auto_reply_to_close).
  server.addEventListener("message", (event) => server.send(event.data));
  return new Response(null, { status: 101, webSocket: client });
}
