/**
 * In a crowd (CROWD_SIZE 4) joins are silent and the member list is empty,
 * so that a big room stays cheap. A lurker must not hide from the owners:
 * they get a newcomer notice for everyone who joins and can page through
 * everyone online.
 */
import { describe, expect, it } from "vitest";
import type { Member } from "../../../src/protocol/frames.ts";
import { join, ownedRoom } from "../../workerd/socket.ts";

describe("owners in a crowd", () => {
  it("hear of every newcomer and page through everyone online; members do neither", async () => {
    const { room, owner } = await ownedRoom("crowd-owner");
    const people = [];
    for (let i = 0; i < 4; i++) people.push(await join(room, `p${i}`));
    const lurker = await join(room, "lurker");
    expect(lurker.welcome.crowd).toBe(true);
    expect(lurker.welcome.members).toEqual([]);
    // Everyone whose join made or kept the room a crowd (4 online: p2 on) is announced to the owner alone.
    const heard = await owner.socket.next((f) => f.type === "newcomer" && f.member.id === lurker.welcome.self.id);
    expect(heard).toEqual({ type: "newcomer", member: lurker.welcome.self });
    expect(owner.socket.frames.filter((f) => f.type === "newcomer").map((f) => (f.type === "newcomer" ? f.member.name : ""))).toEqual(["p2", "p3", "lurker"]);
    expect(people[0]!.socket.frames.some((f) => f.type === "newcomer")).toBe(false);

    const everyone: Member[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      owner.socket.send({ type: "members", limit: 2, ...(after === undefined ? {} : { after }) });
      const page = await owner.socket.nextOf("members");
      expect(page.online).toBe(6);
      expect(page.members.length).toBeLessThanOrEqual(2);
      everyone.push(...page.members);
      after = page.next;
      if (after === undefined) break;
    }
    expect(everyone.map((m) => m.name)).toEqual(["olivia", "p0", "p1", "p2", "p3", "lurker"]);
    expect(everyone[0]!.role).toBe("owner");

    lurker.socket.send({ type: "members" });
    expect((await lurker.socket.nextOf("error")).code).toBe("forbidden");
    for (const p of [owner, ...people, lurker]) p.socket.close(1000);
  });
});
