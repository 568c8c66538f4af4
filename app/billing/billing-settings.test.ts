import { describe, expect, it } from "vitest";
import {
  BillingSettingsForm,
  DEFAULT_BILLING_SETTINGS,
  dueDateOf,
  dueRuleLabel,
} from "./billing-settings";
import { yearMonth } from "../lib/jst";

describe("billing settings (T-27-1 due date, T-26-3 interest-only invoices)", () => {
  it("falls due on the last day of M+1 by default", () => {
    expect(dueDateOf(yearMonth("2026-11"), DEFAULT_BILLING_SETTINGS)).toBe("2026-12-31");
    expect(dueDateOf(yearMonth("2027-01"), DEFAULT_BILLING_SETTINGS)).toBe("2027-02-28");
    expect(dueRuleLabel(DEFAULT_BILLING_SETTINGS)).toBe("翌月末日");
  });

  it("falls due on the set day of M+1 or M+2", () => {
    expect(dueDateOf(yearMonth("2026-11"), { ...DEFAULT_BILLING_SETTINGS, dueDay: 20 })).toBe(
      "2026-12-20",
    );
    expect(
      dueDateOf(yearMonth("2026-12"), {
        ...DEFAULT_BILLING_SETTINGS,
        dueMonthOffset: 2,
        dueDay: 10,
      }),
    ).toBe("2027-02-10");
    expect(
      dueDateOf(yearMonth("2027-12"), {
        ...DEFAULT_BILLING_SETTINGS,
        dueMonthOffset: 2,
        dueDay: null,
      }),
    ).toBe("2028-02-29");
    expect(dueRuleLabel({ dueMonthOffset: 2, dueDay: 10 })).toBe("翌々月10日");
  });

  it("reads the form, and refuses a due date less than 10 days after the 1st of M+1", () => {
    expect(BillingSettingsForm.parse({ dueMonthOffset: "1", dueDay: "end" })).toEqual(
      DEFAULT_BILLING_SETTINGS,
    );
    expect(
      BillingSettingsForm.parse({
        dueMonthOffset: "1",
        dueDay: "11",
        leaveInterestOnlyUnbilled: "on",
      }),
    ).toEqual({ dueMonthOffset: 1, dueDay: 11, leaveInterestOnlyUnbilled: true });
    expect(BillingSettingsForm.parse({ dueMonthOffset: "2", dueDay: "1" })).toMatchObject({
      dueMonthOffset: 2,
      dueDay: 1,
    });
    const issues = (form: Record<string, string>) =>
      BillingSettingsForm.safeParse(form).error?.issues.map(
        (i) => `${String(i.path[0])}: ${i.message}`,
      );
    expect(issues({ dueMonthOffset: "1", dueDay: "10" })).toEqual([
      "dueDay: 支払期限は発行日（翌月1日）から10日以上あとにしてください",
    ]);
    expect(issues({ dueMonthOffset: "1", dueDay: "29" })).toEqual([
      "dueDay: 支払期限の日は1〜28日または末日を選んでください",
    ]);
    expect(issues({ dueMonthOffset: "3", dueDay: "end" })).toEqual([
      "dueMonthOffset: 支払期限の月を選んでください",
    ]);
  });
});
