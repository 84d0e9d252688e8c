import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "./client";
import { POLL_MS, usePoll } from "./usePoll";

let hidden = false;
beforeEach(() => {
  vi.useFakeTimers();
  hidden = false;
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
});
afterEach(() => {
  vi.useRealTimers();
});

const setHidden = (h: boolean) => {
  hidden = h;
  document.dispatchEvent(new Event("visibilitychange"));
};

describe("usePoll", () => {
  it("fetches at once, then every 5 s after the last answer, never two at once", async () => {
    let running = 0;
    let most = 0;
    const load = vi.fn(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 7000)); // slower than the interval
      running--;
      return { n: load.mock.calls.length };
    });
    const { result } = renderHook(() => usePoll(load, "k"));
    expect(load).toHaveBeenCalledTimes(1);
    await act(() => vi.advanceTimersByTimeAsync(7000));
    expect(result.current.data).toEqual({ n: 1 });
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS - 1));
    expect(load).toHaveBeenCalledTimes(1);
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(load).toHaveBeenCalledTimes(2);
    // A refresh asked while one runs waits for it, then runs once.
    act(() => result.current.refresh());
    act(() => result.current.refresh());
    await act(() => vi.advanceTimersByTimeAsync(7000));
    expect(load).toHaveBeenCalledTimes(3);
    await act(() => vi.advanceTimersByTimeAsync(7000));
    expect(most).toBe(1);
  });

  it("pauses while the tab is hidden and fetches as soon as it shows", async () => {
    const load = vi.fn(async () => ({ ok: true }));
    renderHook(() => usePoll(load, "k"));
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(load).toHaveBeenCalledTimes(1);
    act(() => setHidden(true));
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(load).toHaveBeenCalledTimes(1);
    act(() => setHidden(false));
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("keeps the last good data through a failure and says what failed; an equal answer changes nothing", async () => {
    let fail = false;
    const load = vi.fn(async () => {
      if (fail) throw new ApiError({ kind: "network" });
      return { rows: [1, 2] };
    });
    const { result } = renderHook(() => usePoll(load, "k"));
    await act(() => vi.advanceTimersByTimeAsync(0));
    const first = result.current.data;
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    expect(result.current.data).toBe(first); // the same object: nothing re-rendered below
    fail = true;
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    expect(result.current.data).toBe(first);
    expect(result.current.failure).toEqual({ kind: "network" });
    fail = false;
    await act(() => vi.advanceTimersByTimeAsync(POLL_MS));
    expect(result.current.failure).toBeNull();
  });

  it("stops when the page closes", async () => {
    const load = vi.fn(async () => 1);
    const { unmount } = renderHook(() => usePoll(load, "k"));
    await act(() => vi.advanceTimersByTimeAsync(0));
    unmount();
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(load).toHaveBeenCalledTimes(1);
  });
});
