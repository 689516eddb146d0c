import { afterEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { ConnectionLog, SUMMARY_MS } from "../../src/room/connectionLog.ts";

let spy: MockInstance<typeof console.log>;
const captureLog = () => (spy = vi.spyOn(console, "log").mockImplementation(() => undefined));
const logged = () => spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);

/** A ConnectionLog and the alarm times it asked for. */
function connectionLog() {
  const wakes: number[] = [];
  return { connLog: new ConnectionLog("lobby", (at) => wakes.push(at)), wakes };
}

describe("ConnectionLog", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("logs a line per connect and disconnect outside a crowd, and needs no alarm", () => {
    captureLog();
    const { connLog, wakes } = connectionLog();
    connLog.connect({ member: "m1", resumed: false }, false, 0);
    connLog.disconnect({ member: "m1", code: 1000 }, false, 1);
    expect(wakes).toEqual([]);
    expect(logged()).toEqual([
      { event: "connect", room: "lobby", member: "m1", resumed: false },
      { event: "disconnect", room: "lobby", member: "m1", code: 1000 },
    ]);
  });

  it("counts a crowd's connections and logs one summary per window", () => {
    captureLog();
    const { connLog, wakes } = connectionLog();
    connLog.connect({ member: "m1" }, true, 1000); // starts the window: asks for the alarm
    connLog.connect({ member: "m2" }, true, 1001);
    connLog.disconnect({ member: "m3" }, true, 1002);
    expect(wakes).toEqual([1000 + SUMMARY_MS]);

    // An alarm before the window ends (another part's) logs nothing and asks again.
    connLog.due(1000 + SUMMARY_MS - 1, { sockets: 9, online: 10 });
    expect(logged()).toEqual([]);
    expect(wakes).toEqual([1000 + SUMMARY_MS, 1000 + SUMMARY_MS]);
    connLog.due(1000 + SUMMARY_MS, { sockets: 9, online: 10 });
    expect(logged()).toEqual([{ event: "connections", room: "lobby", connects: 2, disconnects: 1, sockets: 9, online: 10 }]);

    // Nothing counted: nothing more to say, no alarm.
    connLog.due(5000, { sockets: 9, online: 10 });
    expect(logged()).toHaveLength(1);
    expect(wakes).toHaveLength(2);
    connLog.disconnect({ member: "m1" }, true, 6000);
    expect(wakes.at(-1)).toBe(6000 + SUMMARY_MS);
  });
});
