/**
 * The room page: wires one RoomClient (the shared engine that owns
 * reconnects, resume, exactly-once delivery, the outbox and pacing) to the
 * views. This file decides what the person sees; it never re-does protocol
 * work the engine already does.
 */
import { RoomClient, roomSocketUrl, type ClosedReason, type ConnectionState, type PendingMessage } from "../../client/RoomClient.ts";
import { CLOSE_CODES, type ErrorFrame, type Member, type RoomEvent } from "../../protocol/frames.ts";
import { DEFAULT_LIMITS } from "../../protocol/limits.ts";
import { normalizeName, normalizeText, type RoomAddress } from "../../protocol/validate.ts";
import { parseCommand } from "../../client/commands.ts";
import { HELP_TEXT } from "../commands.ts";
import { el, replaceChildren } from "../dom.ts";
import { icon } from "../icons.ts";
import { roomKey, roomLabel, roomPath } from "../route.ts";
import { loadName, loadTabSession, rememberRoom, saveName, saveTabSession, takeCreatedMark } from "../storage.ts";
import { Announcer } from "./announcer.ts";
import { Banner } from "./banner.ts";
import { Composer } from "./composer.ts";
import { ConnectionStatus } from "./connectionStatus.ts";
import { spokenEvent } from "./eventView.ts";
import { crowdSentence, MemberList } from "./memberList.ts";
import { nameGate } from "./nameGate.ts";
import { copyLinkButton, createdPanel, shareButton } from "./share.ts";
import { Transcript, type PendingStatus } from "./transcript.ts";
import { TypingIndicator } from "./typingIndicator.ts";
import { UnreadTitle } from "./unreadTitle.ts";

interface RoomInfo {
  members: Member[];
  online: number;
}

type InfoResult = { kind: "ok"; info: RoomInfo } | { kind: "missing" } | { kind: "unknown" };

interface Resume {
  session?: string;
  since?: number;
}

export function showRoom(root: HTMLElement, address: RoomAddress, renderMissing: () => void): void {
  const room = roomKey(address);
  const label = roomLabel(address);
  const url = new URL(roomPath(address), location.origin).href;
  const title = new UnreadTitle(`${label} · Parley`);
  const announcer = new Announcer();
  const banner = new Banner();
  const typing = new TypingIndicator();
  const shareOptions = { url, title: `${label} on Parley`, announce: (text: string) => announcer.say(text) };

  let client: RoomClient | undefined;
  let unsubscribe: (() => void)[] = [];
  let leaving = false;

  const status = new ConnectionStatus(() => client?.reconnectNow());
  const memberCount = el("span", { class: "member-count" }, "0");
  const membersToggle = el(
    "button",
    { type: "button", class: "button secondary members-toggle", "aria-expanded": "false", "aria-controls": "members" },
    icon("users"),
    el("span", { class: "visually-hidden" }, "People online: "),
    memberCount,
  );
  const members = new MemberList("members", (count) => (memberCount.textContent = String(count)));
  const transcript = new Transcript(label, loadOlder, {
    edit(message) {
      transcript.removePending(message.id);
      composer.setText(message.action ? `/me ${message.text}` : message.text);
    },
    dismiss: (id) => transcript.removePending(id),
  });
  const composer = new Composer(`Message ${label}`, "Write a message…", {
    submit,
    typing: () => client?.typing(),
  });

  const home = el("a", { href: "/", class: "home", "aria-label": "Parley home: leave this room" }, icon("back"), el("span", { class: "brand" }, "Parley"));
  home.addEventListener("click", () => {
    // A goodbye, so the room says "left" now rather than after the reconnect grace.
    leaving = true;
    client?.close();
  });
  const heading = el("h1", { class: "room-title", title: address.kind === "public" ? label : `Private room ${room}` }, address.kind === "private" ? icon("lock") : null, el("span", {}, label));
  const body = el("div", { class: "room-body" });
  membersToggle.addEventListener("click", () => {
    const open = body.classList.toggle("members-open");
    membersToggle.setAttribute("aria-expanded", String(open));
  });
  const slot = el("div", { class: "slot" });
  const footer = el("div", { class: "room-footer", hidden: true }, banner.element, typing.element, composer.element);
  const main = el("main", { class: "room-main", id: "main" }, slot, footer);
  if (takeCreatedMark(room)) main.prepend(createdPanel(url, shareOptions.title, shareOptions.announce));
  body.append(main, members.element);
  showMembers(false);
  replaceChildren(
    root,
    el(
      "div",
      { class: "room-page" },
      el(
        "header",
        { class: "room-header" },
        home,
        heading,
        status.element,
        el("div", { class: "room-actions" }, copyLinkButton(shareOptions, "compact"), shareButton(shareOptions, "compact"), membersToggle),
      ),
      body,
      announcer.element,
    ),
  );

  // Set by a reload or a restored tab: who we were, and what was already shown then.
  const stored = loadTabSession(room);
  let unreadAfter = stored?.lastSeq;
  const infoPromise = fetchInfo(room);

  void begin();

  async function begin(): Promise<void> {
    // A private id this server never minted would only ever fail to connect: say so instead.
    if (address.kind === "private" && (await infoPromise).kind === "missing") {
      renderMissing();
      return;
    }
    const name = loadName();
    const checked = name === null ? null : normalizeName(name, DEFAULT_LIMITS.NAME_MAX);
    if (checked?.ok) start(checked.value, stored ? { session: stored.session } : {});
    else askName("", undefined, (picked) => start(picked, stored ? { session: stored.session } : {}));
  }

  function askName(initialName: string, error: string | undefined, then: (name: string) => void): void {
    // Not joined: no conversation, and no member list (the form says who is here in its own words).
    footer.hidden = true;
    showMembers(false);
    const gate = nameGate({ roomLabel: address.kind === "public" ? label : "this private room", initialName, ...(error ? { error } : {}), onName: then });
    replaceChildren(slot, gate.element);
    void infoPromise.then((result) => {
      if (result.kind === "ok") gate.setOnline(result.info.members.map((m) => m.name), result.info.online);
    });
  }

  /**
   * Connects as `name`. On a reload only the session is passed, not `since`:
   * the page starts empty, so it asks for the newest events (and scrolls back
   * for more) rather than a replay that would have nothing above it.
   */
  function start(name: string, resume: Resume, orphans: readonly PendingMessage[] = []): void {
    for (const off of unsubscribe) off();
    client?.close();
    banner.hide();
    replaceChildren(slot, transcript.element);
    footer.hidden = false;
    showMembers(true);
    composer.setEnabled(true);

    const c = new RoomClient({ url: roomSocketUrl(location.origin, room), name, ...resume });
    client = c;
    let initialReplay = false;
    let welcomed = false;
    let toldFull = false;
    unsubscribe = [
      c.on("state", (state) => onState(state)),
      c.on("welcome", ({ welcome, fresh }) => {
        transcript.setSelf(welcome.self.id, welcome.self.name);
        composer.setTextMax(welcome.limits.textMax);
        saveName(welcome.self.name);
        if (fresh) {
          const hadEvents = transcript.firstSeq !== undefined;
          transcript.clear();
          if (welcome.reset && hadEvents) transcript.notice("This room's history was reset; showing it afresh.", "warning");
          transcript.setHasMore(welcome.hasMore);
        }
        if (welcome.truncated) transcript.notice("Some older messages are no longer available.", "warning");
        // The replay follows synchronously; it is not news to announce, apart from a reconnect's catch-up.
        initialReplay = fresh;
        queueMicrotask(() => {
          initialReplay = false;
          if (!welcomed) {
            welcomed = true;
            rememberRoom(address);
            resendOrphans(c, orphans);
            if (unreadAfter !== undefined) transcript.markNewAfter(unreadAfter);
            unreadAfter = undefined;
          }
          persist();
        });
      }),
      c.on("event", (event) => onEvent(c, event, initialReplay)),
      c.on("presence", (presence) => members.render(presence, c.self?.id)),
      c.on("typing", (member) => typing.add(member)),
      c.on("error", (error) => {
        // Said once per client: the engine retries a full room on its own.
        if (error.code === "room_full" && toldFull) return;
        toldFull ||= error.code === "room_full";
        onError(error);
      }),
      c.on("rejected", ({ message, error }) => transcript.failPending(message.id, refusal(error, c))),
      c.on("closed", (reason) => onClosed(c, name, reason)),
    ];
    c.connect();
    composer.focus();
  }

  function showMembers(shown: boolean): void {
    members.element.hidden = !shown;
    membersToggle.hidden = !shown;
  }

  function onState(state: ConnectionState): void {
    status.set(state);
    // The list is the last one known until the room answers again.
    members.element.classList.toggle("stale", state !== "live");
    const pending: PendingStatus = state === "live" ? { kind: "sending" } : { kind: "waiting" };
    transcript.setPendingStatus(pending);
    if (state === "closed") typing.clear();
  }

  function onEvent(c: RoomClient, event: RoomEvent, replaying: boolean): void {
    if (event.type === "message" && event.id !== undefined) transcript.removePending(event.id);
    transcript.append(event);
    if (event.type === "message") typing.remove(event.from.id);
    if (event.type === "left") typing.remove(event.member.id);
    const self = c.self;
    if (event.type === "renamed" && event.member.id === self?.id) {
      transcript.setSelf(event.member.id, event.member.name);
      saveName(event.member.name);
    }
    const fromSelf = (event.type === "message" ? event.from.id : event.member.id) === self?.id;
    if (!replaying && !fromSelf) {
      announcer.say(spokenEvent(event));
      if (event.type === "message") title.count();
    }
    persistSoon();
  }

  function onError(error: ErrorFrame): void {
    // Paced by RoomClient; a refusal of a pending message comes as "rejected".
    if (error.code === "rate_limited" || error.ref !== undefined) return;
    if (error.code === "room_full") transcript.notice("The room is full right now. Trying again shortly…", "warning");
    else if (error.code === "name_invalid") transcript.notice(`Could not change your name: ${error.message}.`, "error");
    else transcript.notice(`The room refused that: ${error.message}.`, "error");
  }

  function onClosed(c: RoomClient, name: string, reason: ClosedReason): void {
    if (leaving || c !== client) return;
    composer.setEnabled(false);
    // The name it had last (a /nick since start counts); unsent messages stay on screen for the next client.
    const current = c.self?.name ?? name;
    const again = (resume: Resume, newName = current) => start(newName, resume, transcript.unsentPending());
    if (reason.error?.code === "name_invalid") {
      askName(current, `The room refused that name: ${reason.error.message}.`, (picked) =>
        again({ ...(c.session ? { session: c.session } : {}), ...since(c) }, picked),
      );
      return;
    }
    if (reason.code === CLOSE_CODES.replaced) {
      banner.show("This room is open in another tab or window, so this tab stopped.", {
        label: "Use this tab",
        run: () => again({ ...(c.session ? { session: c.session } : {}), ...since(c) }),
      });
    } else if (reason.code === CLOSE_CODES.policy) {
      banner.show("You were disconnected for sending too much too quickly.", { label: "Rejoin", run: () => again(since(c)) });
    } else if (reason.error) {
      banner.show(`Could not join: ${reason.error.message}.`, { label: "Try again", run: () => again(since(c)) });
    } else {
      banner.show("Disconnected from the room.", { label: "Reconnect", run: () => again(since(c)) });
    }
  }

  function since(c: RoomClient): Resume {
    return c.lastSeq === undefined ? {} : { since: c.lastSeq };
  }

  /**
   * Messages a stopped client never got acknowledged. The new client's replay
   * (it resumes with `since`) has confirmed any that were stored after all;
   * the rest are sent again.
   */
  function resendOrphans(c: RoomClient, orphans: readonly PendingMessage[]): void {
    const unsent = new Set(transcript.unsentPending().map((m) => m.id));
    for (const orphan of orphans) {
      if (!unsent.has(orphan.id)) continue;
      const id = c.send(orphan.text, { action: orphan.action });
      transcript.renamePending(orphan.id, { ...orphan, id });
    }
  }

  function submit(raw: string): boolean {
    const c = client;
    if (!c) return false;
    const input = parseCommand(raw);
    switch (input.kind) {
      case "empty":
        return false;
      case "say":
      case "me": {
        const checked = normalizeText(input.text, c.limits?.textMax ?? DEFAULT_LIMITS.TEXT_MAX);
        if (!checked.ok) {
          composer.showError(`Not sent: ${checked.error.message}.`);
          return false;
        }
        const action = input.kind === "me";
        const id = c.send(checked.value, { action });
        transcript.addPending({ id, text: checked.value, action }, c.state === "live" ? { kind: "sending" } : { kind: "waiting" });
        return true;
      }
      case "nick": {
        const checked = normalizeName(input.name, c.limits?.nameMax ?? DEFAULT_LIMITS.NAME_MAX);
        if (!checked.ok) {
          transcript.notice(`Could not change your name: ${checked.error.message}.`, "error");
          return false;
        }
        if (checked.value === c.self?.name) {
          transcript.notice(`You are already ${checked.value}.`);
          return true;
        }
        c.rename(checked.value);
        if (c.state !== "live") {
          saveName(checked.value);
          transcript.notice(`You will be ${checked.value} once the connection is back.`);
        }
        return true;
      }
      case "who": {
        if (c.presence.crowd) {
          const sentence = `${crowdSentence(c.presence.online)} This room is too big to list everyone.`;
          transcript.notice(sentence);
          announcer.say(sentence);
          return true;
        }
        const names = c.presence.members.map((m) => (m.id === c.self?.id ? `${m.name} (you)` : m.name));
        transcript.notice(names.length === 0 ? "Nobody is online (you are not connected)." : `Online now (${names.length}): ${names.join(", ")}`);
        announcer.say(`Online now: ${names.join(", ")}`);
        return true;
      }
      case "help":
        transcript.notice(HELP_TEXT);
        return true;
      case "invalid":
        transcript.notice(input.message, "warning");
        announcer.say(input.message);
        return false;
      case "history":
      case "quit":
        return false; // terminal commands: not parsed without their extras
    }
  }

  async function loadOlder(): Promise<void> {
    const c = client;
    const before = transcript.firstSeq;
    if (!c || before === undefined || c.state !== "live") return;
    transcript.setLoadingOlder(true);
    try {
      const page = await c.history(before, 50);
      // An empty page while offline says nothing about what is left.
      if (page.events.length > 0 || c.state === "live") {
        transcript.prepend(page.events);
        transcript.setHasMore(page.hasMore);
      }
    } finally {
      transcript.setLoadingOlder(false);
    }
  }

  let persistTimer: ReturnType<typeof setTimeout> | undefined;
  function persistSoon(): void {
    persistTimer ??= setTimeout(persist, 1000);
  }
  function persist(): void {
    clearTimeout(persistTimer);
    persistTimer = undefined;
    const c = client;
    if (!c?.session || c.state === "closed") return;
    saveTabSession(room, c.lastSeq === undefined ? { session: c.session } : { session: c.session, lastSeq: c.lastSeq });
  }

  window.addEventListener("pagehide", persist);
  // The network is back, or the tab woke up: no need to wait out the backoff.
  window.addEventListener("online", () => client?.reconnectNow());
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) client?.reconnectNow();
  });
  // The browser knows the network is gone: the socket is dead even if it has not noticed yet.
  window.addEventListener("offline", () => {
    if (client?.state === "live") client.dropConnection();
  });
}

function refusal(error: ErrorFrame, c: RoomClient): string {
  switch (error.code) {
    case "text_too_long":
      return `too long (at most ${c.limits?.textMax ?? DEFAULT_LIMITS.TEXT_MAX} characters).`;
    case "text_invalid":
      return "it contains characters that cannot be sent.";
    case "text_empty":
      return "it is empty.";
    default:
      return `${error.message}.`;
  }
}

async function fetchInfo(room: string): Promise<InfoResult> {
  try {
    const response = await fetch(`/api/rooms/${encodeURIComponent(room)}`, { headers: { Accept: "application/json" } });
    if (response.status === 404) return { kind: "missing" };
    if (!response.ok) return { kind: "unknown" };
    const body = (await response.json()) as Partial<RoomInfo>;
    const list = Array.isArray(body.members) ? body.members : [];
    return { kind: "ok", info: { members: list, online: typeof body.online === "number" ? body.online : list.length } };
  } catch {
    return { kind: "unknown" };
  }
}
