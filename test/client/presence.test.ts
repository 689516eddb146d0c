/**
 * The presence model (src/client/presence.ts): the member list from a
 * welcome and the events after it, the count in a crowd, and presence
 * frames into and out of one.
 */
import { describe, expect, it } from "vitest";
import { PresenceModel } from "../../src/client/presence.ts";
import { alice, bob, carol, joined, left, message, renamed, welcome } from "./support/frames.ts";

describe("PresenceModel", () => {
  it("takes members from the welcome, and counts the list: quiet readers and held reconnects stay unseen", () => {
    const presence = new PresenceModel();
    expect(presence.current).toEqual({ members: [], online: 0, crowd: false });
    // The welcome's online counts a quiet reader too; the count people see matches the names they see, now and after the next join.
    expect(presence.welcome(welcome({ members: [alice, bob], online: 3 }))).toEqual({ members: [alice, bob], online: 2, crowd: false });
    expect(presence.current).toEqual({ members: [alice, bob], online: 2, crowd: false });
  });

  it("applies joined, left and renamed after the welcome, in order, and nothing for messages", () => {
    const presence = new PresenceModel();
    presence.welcome(welcome({ members: [alice], lastSeq: 10 }));
    expect(presence.event(joined(11, bob))).toBe(true);
    expect(presence.event(joined(12, carol))).toBe(true);
    expect(presence.event(renamed(13, { id: bob.id, name: "robert" }, "bob"))).toBe(true);
    expect(presence.event(message(14, alice, "hi"))).toBe(false);
    expect(presence.event(left(15, carol))).toBe(true);
    expect(presence.current).toEqual({ members: [alice, { id: bob.id, name: "robert" }], online: 2, crowd: false });
  });

  it("does not apply again what the welcome's list already includes", () => {
    const presence = new PresenceModel();
    // The replay shows bob joining and carol leaving; the list is already after both.
    presence.welcome(welcome({ members: [alice, bob], lastSeq: 6 }));
    for (const event of [joined(4, carol), joined(5, bob), left(6, carol)]) expect(presence.event(event)).toBe(false);
    expect(presence.current.members).toEqual([alice, bob]);
    expect(presence.event(left(7, bob))).toBe(true);
    expect(presence.current.members).toEqual([alice]);
  });

  it("does not list someone twice", () => {
    const presence = new PresenceModel();
    presence.welcome(welcome({ members: [alice, bob], lastSeq: 1 }));
    expect(presence.event(joined(2, bob))).toBe(false);
    expect(presence.current.members).toEqual([alice, bob]);
  });

  it("hands out a new value on each change and keeps the old one intact", () => {
    const presence = new PresenceModel();
    const before = presence.welcome(welcome({ members: [alice], lastSeq: 1 }));
    presence.event(joined(2, bob));
    expect(before.members).toEqual([alice]);
    expect(presence.current).not.toBe(before);
  });

  it("in a crowd keeps only the count, from the welcome and from presence frames", () => {
    const presence = new PresenceModel();
    presence.welcome(welcome({ crowd: true, members: [], online: 250, lastSeq: 3 }));
    expect(presence.current).toEqual({ members: [], online: 250, crowd: true });
    // Renames (and any join that slipped through) change no list in a crowd.
    expect(presence.event(renamed(4, { id: bob.id, name: "robert" }, "bob"))).toBe(false);
    expect(presence.event(joined(5, carol))).toBe(false);
    expect(presence.frame({ type: "presence", online: 251, crowd: true })).toEqual({ members: [], online: 251, crowd: true });
  });

  it("goes into a crowd and out of it again with presence frames, then follows events again", () => {
    const presence = new PresenceModel();
    presence.welcome(welcome({ members: [alice, bob], lastSeq: 2 }));
    presence.frame({ type: "presence", online: 100, crowd: true });
    expect(presence.current).toEqual({ members: [], online: 100, crowd: true });
    expect(presence.event(left(3, bob))).toBe(false);
    presence.frame({ type: "presence", online: 2, crowd: false, members: [alice, carol] });
    expect(presence.current).toEqual({ members: [alice, carol], online: 2, crowd: false });
    expect(presence.event(joined(4, bob))).toBe(true);
    expect(presence.current).toEqual({ members: [alice, carol, bob], online: 3, crowd: false });
  });

  it("a welcome out of a crowd brings the list back", () => {
    const presence = new PresenceModel();
    presence.welcome(welcome({ crowd: true, members: [], online: 120, lastSeq: 2 }));
    presence.welcome(welcome({ members: [alice, bob], lastSeq: 9 }));
    expect(presence.current).toEqual({ members: [alice, bob], online: 2, crowd: false });
  });
});
