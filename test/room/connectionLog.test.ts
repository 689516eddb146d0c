import { afterEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { ConnectionLog, SUMMARY_MS } from "../../src/room/connectionLog.ts";

let spy: MockInstance<typeof console.log>;
const captureLog = () => (spy = vi.spyOn(console, "log").mockImplementation(() => undefined));
const logged = () => spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);

describe("ConnectionLog", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("logs a line per connect and disconnect outside a crowd", () => {
    captureLog();
    const connLog = new ConnectionLog("lobby");
    expect(connLog.connect({ member: "m1", resumed: false }, false, 0)).toBe(false);
    expect(connLog.disconnect({ member: "m1", code: 1000 }, false, 1)).toBe(false);
    expect(connLog.flushAt).toBeNull();
    expect(logged()).toEqual([
      { event: "connect", room: "lobby", member: "m1", resumed: false },
      { event: "disconnect", room: "lobby", member: "m1", code: 1000 },
    ]);
  });

  it("counts a crowd's connections and logs one summary per window", () => {
    captureLog();
    const connLog = new ConnectionLog("lobby");
    expect(connLog.connect({ member: "m1" }, true, 1000)).toBe(true); // starts the window: set the alarm
    expect(connLog.connect({ member: "m2" }, true, 1001)).toBe(false);
    expect(connLog.disconnect({ member: "m3" }, true, 1002)).toBe(false);
    expect(connLog.flushAt).toBe(1000 + SUMMARY_MS);

    connLog.flushDue(1000 + SUMMARY_MS - 1, { sockets: 9, online: 10 });
    expect(logged()).toEqual([]);
    connLog.flushDue(1000 + SUMMARY_MS, { sockets: 9, online: 10 });
    expect(logged()).toEqual([{ event: "connections", room: "lobby", connects: 2, disconnects: 1, sockets: 9, online: 10 }]);
    expect(connLog.flushAt).toBeNull();

    // Nothing counted: nothing more to say.
    connLog.flushDue(5000, { sockets: 9, online: 10 });
    expect(logged()).toHaveLength(1);
    expect(connLog.disconnect({ member: "m1" }, true, 6000)).toBe(true);
  });
});
