/**
 * Quieter presence (src/client/chat/presenceRun.ts): a run of joins and
 * leaves in one sentence, the same words in both apps.
 */
import { describe, expect, it } from "vitest";
import type { JoinedEvent, LeftEvent, MessageEvent, RoomEvent } from "../../../src/protocol/frames.ts";
import { groupPresence, presenceClauses, presenceRunParts, presenceRunText, type PresenceEvent } from "../../../src/client/chat/presenceRun.ts";

let seq = 0;
const member = (name: string) => ({ id: `id-${name}`, name });
const joined = (name: string): JoinedEvent => ({ type: "joined", seq: ++seq, ts: seq, member: member(name) });
const left = (name: string): LeftEvent => ({ type: "left", seq: ++seq, ts: seq, member: member(name) });
const said = (text: string): MessageEvent => ({ type: "message", seq: ++seq, ts: seq, from: member("ann"), text }) as MessageEvent;
const sentence = (events: PresenceEvent[]) => presenceRunText(events);

describe("presenceRunText", () => {
  it("says one join or leave as before", () => {
    expect(sentence([joined("ann")])).toBe("ann joined");
    expect(sentence([left("ann")])).toBe("ann left");
  });

  it("names up to three, then the first two and how many others", () => {
    expect(sentence([joined("ann"), joined("ben")])).toBe("ann and ben joined");
    expect(sentence([joined("ann"), joined("ben"), joined("cat")])).toBe("ann, ben and cat joined");
    expect(sentence(["ann", "ben", "cat", "dan", "eve"].map(joined))).toBe("ann, ben and 3 others joined");
    expect(sentence(Array.from({ length: 200 }, (_, i) => joined(`p${i}`)))).toBe("p0, p1 and 198 others joined");
  });

  it("puts joins and leaves in one sentence, in the order each first happened", () => {
    expect(sentence([joined("ann"), joined("ben"), left("cat")])).toBe("ann and ben joined; cat left");
    expect(sentence([left("cat"), joined("ann")])).toBe("cat left; ann joined");
    expect(sentence([joined("ann"), joined("ben"), joined("dan"), joined("eve"), joined("fay"), left("cat")])).toBe(
      "ann, ben and 3 others joined; cat left",
    );
  });

  it("says the same person joining and leaving in a run came and went; leaving and joining again, came back", () => {
    expect(sentence([joined("ann"), left("ann")])).toBe("ann came and went");
    expect(sentence([left("ann"), joined("ann")])).toBe("ann came back");
    expect(sentence([joined("ann"), left("ann"), joined("ann")])).toBe("ann joined");
    expect(sentence([joined("ann"), joined("ben"), left("ann"), left("cat")])).toBe("ann came and went; ben joined; cat left");
  });

  it("tells members apart by id, not by name, and uses the latest name", () => {
    const a1: JoinedEvent = { type: "joined", seq: ++seq, ts: seq, member: { id: "1", name: "sam" } };
    const a2: JoinedEvent = { type: "joined", seq: ++seq, ts: seq, member: { id: "2", name: "sam" } };
    expect(sentence([a1, a2])).toBe("sam and sam joined");
    expect(presenceClauses([a1, a2])).toEqual([{ outcome: "joined", members: [a1.member, a2.member] }]);
  });

  it("gives the names as parts, for an app to escape and style, and writes them with a function", () => {
    expect(presenceRunParts([joined("ann"), left("<b>")])).toEqual([
      { kind: "member", member: member("ann") },
      { kind: "text", text: " joined; " },
      { kind: "member", member: member("<b>") },
      { kind: "text", text: " left" },
    ]);
    expect(presenceRunText([joined("ann"), joined("ben")], (m) => `[${m.name}]`)).toBe("[ann] and [ben] joined");
  });
});

describe("groupPresence", () => {
  it("gathers each run of consecutive joins and leaves; other events stay one by one", () => {
    const events: RoomEvent[] = [joined("ann"), joined("ben"), said("hi"), left("ben"), said("bye"), said("again"), joined("cat")];
    expect(groupPresence(events).map((item) => (item.kind === "event" ? item.event.seq : item.events.map((e) => e.seq)))).toEqual([
      [events[0]!.seq, events[1]!.seq],
      events[2]!.seq,
      [events[3]!.seq],
      events[4]!.seq,
      events[5]!.seq,
      [events[6]!.seq],
    ]);
  });

  it("does not take renames into a run", () => {
    const rename: RoomEvent = { type: "renamed", seq: ++seq, ts: seq, member: member("anna"), from: "ann" } as RoomEvent;
    expect(groupPresence([joined("a"), rename, joined("b")]).map((item) => item.kind)).toEqual(["presence", "event", "presence"]);
  });
});
