import { describe, expect, it } from "vitest";
import { translate } from "../../i18n/translate";
import { isLockShortcut, parseIdleMinutes } from "./idleLock";

describe("idle lock time", () => {
  it("takes whole minutes from 1 to 30 and says what is wrong otherwise", () => {
    expect(parseIdleMinutes(" 15 ")).toEqual({ minutes: 15 });
    expect(parseIdleMinutes("30")).toEqual({ minutes: 30 });
    const show = (r: ReturnType<typeof parseIdleMinutes>) =>
      "problem" in r && "key" in r.problem ? translate("en", r.problem.key, r.problem.vars) : null;
    expect(show(parseIdleMinutes("31"))).toBe("The lock time must be from 1 to 30 minutes.");
    expect(show(parseIdleMinutes("0"))).toBe("The lock time must be from 1 to 30 minutes.");
    expect(show(parseIdleMinutes("ten"))).toBe("Enter a whole number of minutes, from 1 to 30.");
    expect(show(parseIdleMinutes("2.5"))).toBe("Enter a whole number of minutes, from 1 to 30.");
  });
  it("locks on Ctrl+Shift+L only", () => {
    const k = { key: "L", ctrlKey: true, metaKey: false, shiftKey: true, altKey: false };
    expect(isLockShortcut(k)).toBe(true);
    expect(isLockShortcut({ ...k, key: "l" })).toBe(true);
    expect(isLockShortcut({ ...k, shiftKey: false })).toBe(false);
    expect(isLockShortcut({ ...k, key: "k" })).toBe(false);
  });
});

