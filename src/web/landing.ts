/**
 * The front page: create a private room in one click, join a public room by
 * name (or by a pasted link), and go back to rooms visited before, each
 * with how much is new there since.
 */
import { decodeCreatedRoom, decodeHttpError, decodeRoomInfo } from "../protocol/http.ts";
import { isRecord, ROOM_NAME_RULE } from "../protocol/validate.ts";
import { el, replaceChildren, uid } from "./dom.ts";
import { fieldError } from "./formError.ts";
import { timeAgo } from "./readableText.ts";
import { icon } from "./icons.ts";
import { roomFromInput, roomPath } from "./route.ts";
import { forgetRecentRooms, lastSeenSeq, leftAtSeq, loadRecentRooms, markCreated, saveOwnerKey, type RecentRoom } from "./storage.ts";

export function showLanding(root: HTMLElement): void {
  document.title = "Parley";
  replaceChildren(
    root,
    el(
      "main",
      { class: "landing", id: "main" },
      el(
        "header",
        { class: "hero" },
        el("h1", {}, el("span", { class: "logo" }, icon("bubble")), "Parley"),
        el("p", { class: "tagline" }, "Chat rooms you share with a link. No accounts, nothing to install."),
      ),
      createCard(),
      joinCard(),
      recentCard(),
    ),
  );
}

function createCard(): HTMLElement {
  const button = el("button", { type: "button", class: "button primary large" }, icon("plus"), "Create a private room");
  const error = el("p", { class: "form-error", role: "alert" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    error.textContent = "";
    try {
      const response = await fetch("/api/rooms", { method: "POST", headers: { Accept: "application/json" } });
      const body: unknown = await response.json().catch(() => undefined);
      const created = response.ok ? decodeCreatedRoom(body) : null;
      if (!created) {
        const refusal = decodeHttpError(body);
        throw new Error(`the server answered ${response.status}${refusal ? `: ${refusal.message}` : ""}`);
      }
      markCreated(created.room);
      // Read defensively: a server from before owners answers without it.
      const ownerKey = isRecord(body) && typeof body.ownerKey === "string" ? body.ownerKey : undefined;
      if (ownerKey) saveOwnerKey(created.room, ownerKey);
      location.assign(`/r/${created.room}`);
    } catch (problem) {
      error.textContent = `Could not create a room: ${problem instanceof Error ? problem.message : String(problem)}. Try again.`;
      button.disabled = false;
    }
  });
  return el(
    "section",
    { class: "card", "aria-labelledby": "create-heading" },
    el("h2", { id: "create-heading" }, "Start a private room"),
    el("p", {}, "Only people you send the link to can find it."),
    button,
    error,
  );
}

function joinCard(): HTMLElement {
  const id = uid("room");
  const input = el("input", {
    id,
    type: "text",
    placeholder: "lobby",
    autocomplete: "off",
    autocapitalize: "none",
    spellcheck: false,
    required: true,
    "aria-describedby": `${id}-hint ${id}-error`,
  });
  const error = el("p", { class: "form-error", id: `${id}-error`, role: "alert" });
  const problem = fieldError(input, error);
  // The room a name that is not one as typed becomes ("Book Club" → #book-club), said before it is opened.
  const opens = el("p", { class: "hint opens", id: `${id}-opens`, hidden: true });
  input.setAttribute("aria-describedby", `${id}-hint ${id}-opens ${id}-error`);
  input.addEventListener("input", () => {
    const text = input.value.trim().replace(/^#/, "");
    const address = roomFromInput(input.value);
    const shown = address?.kind === "public" && address.name !== text && !/\/r\//i.test(text) ? address.name : null;
    opens.hidden = shown === null;
    opens.textContent = shown === null ? "" : `Opens #${shown}`;
  });
  const form = el(
    "form",
    { class: "card", "aria-labelledby": "join-heading" },
    el("h2", { id: "join-heading" }, "Join a public room"),
    el("label", { for: id }, "Room name"),
    el("div", { class: "input-row" }, el("span", { class: "prefix", "aria-hidden": "true" }, "#"), input, el("button", { type: "submit", class: "button primary" }, "Join")),
    opens,
    el("p", { class: "hint", id: `${id}-hint` }, "Anyone who knows the name can join. A room link works here too."),
    error,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const address = roomFromInput(input.value);
    if (!address) return problem.show(`That is not a room: ${ROOM_NAME_RULE}.`);
    problem.clear();
    location.assign(roomPath(address));
  });
  return form;
}

function recentCard(): HTMLElement | null {
  const rooms = loadRecentRooms();
  if (rooms.length === 0) return null;
  const badges = new AbortController();
  const forget = el("button", { type: "button", class: "link-button" }, "Forget these");
  const card = el(
    "section",
    { class: "card recent", "aria-labelledby": "recent-heading" },
    el("h2", { id: "recent-heading" }, "Recent rooms"),
    el("ul", { class: "recent-list" }, ...rooms.map((room) => recentItem(room, badges))),
    el("p", { class: "hint" }, "Kept in this browser only. ", forget),
  );
  forget.addEventListener("click", () => {
    badges.abort();
    forgetRecentRooms();
    card.remove();
  });
  return card;
}

function recentItem(room: RecentRoom, badges: AbortController): HTMLLIElement {
  const isPrivate = room.kind === "private";
  // A private room's id is its only secret; show just enough of it to tell two apart.
  const name = isPrivate ? (room.title ?? `Private room ${room.room.slice(0, 6)}…`) : `#${room.room}`;
  const badge = el("span", { class: "new-badge", hidden: true });
  const link = el("a", { href: `/r/${room.room}`, class: isPrivate ? "private" : "public" }, isPrivate ? icon("lock") : null, name, badge);
  void countNew(room.room, badges.signal).then((count) => {
    if (count <= 0) return;
    const shown = count > 99 ? "99+" : String(count);
    // Part of the link's name: "#lobby (3 new since your last visit)".
    replaceChildren(badge, el("span", { "aria-hidden": "true" }, `${shown} new`), el("span", { class: "visually-hidden" }, `(${shown} new since your last visit)`));
    badge.hidden = false;
  });
  return el("li", {}, link, el("span", { class: "when" }, timeAgo(room.visitedAt)));
}

/**
 * How many events `room` recorded since this browser last showed it (its
 * last seen seq); 0 when unknown, when nothing is new or when the room
 * cannot be asked (offline, gone). This member's own departure, which the
 * room records after the page went away, is not new to them.
 */
async function countNew(room: string, signal: AbortSignal): Promise<number> {
  const seen = lastSeenSeq(room);
  if (seen === null) return 0;
  try {
    const response = await fetch(`/api/rooms/${encodeURIComponent(room)}`, { headers: { Accept: "application/json" }, signal });
    if (!response.ok) return 0;
    const info = decodeRoomInfo(await response.json());
    if (!info) return 0;
    const ownDeparture = leftAtSeq(room) === seen ? 1 : 0;
    return Math.max(0, info.lastSeq - seen - ownDeparture);
  } catch {
    return 0;
  }
}
