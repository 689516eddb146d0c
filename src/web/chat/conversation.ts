/**
 * The conversation as one room client tells it, on screen: events in the
 * transcript (spoken when they are news), the member list, who is typing,
 * the connection state, what a welcome means for what is shown, and
 * scrolling back for older events.
 */
import { actorOf } from "../../client/events.ts";
import { olderEvents } from "../../client/chat/olderEvents.ts";
import type { ConnectionState, RoomClient } from "../../client/RoomClient.ts";
import type { RoomEvent, RoomSettings, SpokenMessage } from "../../protocol/frames.ts";
import type { Announcer } from "./announcer.ts";
import type { Composer } from "./composer.ts";
import type { ConnectionStatus } from "./connectionStatus.ts";
import { spokenEvent } from "./eventView.ts";
import { presenceSpeaker } from "./presenceRunView.ts";
import { isPresenceEvent } from "../../client/chat/presenceRun.ts";
import type { MemberList } from "./memberList.ts";
import type { Transcript } from "./transcript.ts";
import type { TypingIndicator } from "./typingIndicator.ts";
import type { UnreadTitle } from "./unreadTitle.ts";

/** Events asked for per scroll-back. */
const OLDER_PAGE = 50;

export interface ConversationViews {
  transcript: Transcript;
  members: MemberList;
  typing: TypingIndicator;
  announcer: Announcer;
  title: UnreadTitle;
  status: ConnectionStatus;
  composer: Composer;
}

/** What else the page does as the conversation goes on (remembering, resending). */
export interface ConversationHooks {
  /** This member's name, from a welcome or a rename. */
  named(name: string): void;
  /** The client's first welcome and its replay are shown. */
  joined(): void;
  /** A welcome and its replay are shown. */
  caughtUp(): void;
  /** Another event is shown. */
  shown(): void;
  /** The room's settings, from a welcome or a settings event; `owner`: this member may change them. */
  settings(settings: RoomSettings, owner: boolean): void;
  /** A member was kicked or banned: an owner's list of bans may have changed. */
  moderated(): void;
  /** A new message (not replayed) mentions this member. */
  mentioned(message: SpokenMessage): void;
}

/** Shows what `client` hears in the views until the returned function is called. */
export function showConversation(client: RoomClient, views: ConversationViews, hooks: ConversationHooks): () => void {
  const { transcript, members, typing, announcer, title, status, composer } = views;
  /** The welcome's replay is being shown: not news to announce (a reconnect's catch-up is). */
  let replaying = false;
  let joined = false;
  /** An owner's list of a crowd is being fetched. */
  let listing = false;
  /** Joins and leaves are spoken a few at a time, as one sentence. */
  const presence = presenceSpeaker((text) => announcer.say(text));

  async function listEveryone(after: string | undefined): Promise<void> {
    listing = true;
    try {
      const page = await client.members(after);
      if (page) members.showPage(page.members, after === undefined, page.next === undefined ? undefined : () => void listEveryone(page.next));
    } finally {
      listing = false;
    }
  }

  function onState(state: ConnectionState): void {
    status.set(state);
    // The list is the last one known until the room answers again.
    members.element.classList.toggle("stale", state !== "live");
    transcript.setPendingStatus(state === "live" ? { kind: "sending" } : { kind: "waiting" });
    if (state === "closed") typing.clear();
  }

  function onEvent(event: RoomEvent): void {
    if (event.type === "message" && event.id !== undefined) transcript.removePending(event.id);
    transcript.append(event);
    if (event.type === "message") typing.remove(event.from.id);
    if (event.type === "edited" || event.type === "deleted") announcer.forget(event.target);
    if (event.type === "settings") hooks.settings(client.settings, client.isOwner);
    if (event.type === "banned" || event.type === "kicked") hooks.moderated();
    if (event.type === "left") typing.remove(event.member.id);
    const self = client.self;
    if (event.type === "renamed" && event.member.id === self?.id) {
      transcript.setSelf(event.member.id, event.member.name);
      hooks.named(event.member.name);
    }
    const fromSelf = actorOf(event).id === self?.id;
    // A reaction changes its message's chips quietly.
    if (!replaying && !fromSelf && event.type !== "reactions") {
      const mention = event.type === "message" && !("deleted" in event) && self !== undefined && event.mentions?.includes(self.id) === true;
      if (isPresenceEvent(event)) presence.add(event);
      else {
        presence.flush();
        announcer.say(`${mention ? "Mentions you: " : ""}${spokenEvent(event)}`, event.seq);
      }
      if (event.type === "message") title.count(mention);
      if (mention) hooks.mentioned(event as SpokenMessage);
    }
    hooks.shown();
  }

  const unsubscribe = [
    client.on("state", onState),
    client.on("welcome", ({ welcome, fresh }) => {
      transcript.setSelf(welcome.self.id, welcome.self.name);
      transcript.setOwner(welcome.self.role === "owner");
      hooks.settings(welcome.settings, welcome.self.role === "owner");
      composer.setTextMax(welcome.limits.textMax);
      hooks.named(welcome.self.name);
      if (fresh) {
        const hadEvents = transcript.firstSeq !== undefined;
        transcript.clear();
        if (welcome.reset && hadEvents) transcript.notice("This room's history was reset; showing it afresh.", "warning");
        transcript.setHasMore(welcome.hasMore);
      }
      if (welcome.truncated) transcript.notice("Some older messages are no longer available.", "warning");
      // The replay follows synchronously; a fresh one is history, not news.
      replaying = fresh;
      queueMicrotask(() => {
        replaying = false;
        if (!joined) {
          joined = true;
          hooks.joined();
        }
        hooks.caughtUp();
      });
    }),
    client.on("event", onEvent),
    client.on("presence", (presence) => {
      members.render(presence, client.self?.id);
      // In a crowd only owners get the list, asked for a page at a time.
      if (presence.crowd && client.isOwner && !listing) void listEveryone(undefined);
    }),
    client.on("newcomer", (member) => {
      members.addNewcomer(member);
      transcript.notice(`${member.name} joined`);
      announcer.say(`${member.name} joined`);
    }),
    client.on("typing", (member) => typing.add(member)),
    client.on("held", ({ id, ms }) => {
      if (transcript.holdPending(id, ms)) announcer.say("Slow down: your messages are being held back a moment");
    }),
  ];
  return () => {
    for (const off of unsubscribe) off();
  };
}

/** Puts the page of events before the oldest shown above it (the reader scrolled up). */
export async function showOlder(client: RoomClient | undefined, transcript: Transcript): Promise<void> {
  const before = transcript.firstSeq;
  if (!client || before === undefined || client.state !== "live") return;
  transcript.setLoadingOlder(true);
  try {
    const older = await olderEvents(client, before, OLDER_PAGE);
    // Offline says nothing about what is left: leave the button for later.
    if (older.kind === "events") {
      transcript.prepend(older.events);
      transcript.setHasMore(older.hasMore);
    }
  } finally {
    transcript.setLoadingOlder(false);
  }
}
