import { describe, expect, it } from "vitest";
import {
  addOnsOf,
  currentTerm,
  firstCharge,
  isLiveOn,
  renewalStateOf,
  sameDayMonthsLater,
  termEnd,
} from "./license";
import { makeLicense, makeMonthly } from "./license.fixture";
import { isoDate, type IsoDate } from "../lib/jst";

describe("L-1 calendar month arithmetic on dates", () => {
  it("keeps the day, or falls back to the last day of a shorter month", () => {
    expect(sameDayMonthsLater(isoDate("2024-05-01"), 12)).toBe("2025-05-01");
    expect(sameDayMonthsLater(isoDate("2024-01-31"), 1)).toBe("2024-02-29");
    expect(sameDayMonthsLater(isoDate("2024-02-29"), 12)).toBe("2025-02-28");
    expect(sameDayMonthsLater(isoDate("2024-12-15"), 1)).toBe("2025-01-15");
  });
});

describe("L-1 current term derived from the charges", () => {
  it("annual: a charge on 2024-05-01 is valid to 2025-04-30, renewal charged 2025-05-01", () => {
    const l = makeLicense();
    expect(currentTerm(l, isoDate("2024-05-01"))).toEqual({
      charge: { date: "2024-05-01", amountYen: 7980, type: "purchase", projected: false },
      start: "2024-05-01",
      end: "2025-04-30",
      nextBillingDate: "2025-05-01",
    });
    expect(termEnd(l, isoDate("2025-04-30"))).toBe("2025-04-30");
  });

  it("uses the last listed charge on or before the day, ignoring later ones", () => {
    const l = makeLicense({
      charges: [
        { date: isoDate("2025-05-01"), amountYen: 8480, type: "renewal" },
        { date: isoDate("2024-05-01"), amountYen: 7980, type: "purchase" },
      ],
    });
    expect(currentTerm(l, isoDate("2025-04-30"))!.charge.date).toBe("2024-05-01");
    const t = currentTerm(l, isoDate("2025-05-01"))!;
    expect(t.charge).toEqual({
      date: "2025-05-01",
      amountYen: 8480,
      type: "renewal",
      projected: false,
    });
    expect(t.end).toBe("2026-04-30");
  });

  it("bought on the 31st: projected terms count from the purchase, so a term ends the day before the next charge (no lost days)", () => {
    const l = makeMonthly({
      charges: [{ date: isoDate("2024-01-31"), amountYen: 980, type: "purchase" }],
    });
    // Renewals 02-29, 03-31: on 03-29 the term is 02-29 … 03-30 and the licence is live.
    expect(currentTerm(l, isoDate("2024-03-29"))).toEqual({
      charge: { date: "2024-02-29", amountYen: 980, type: "renewal", projected: true },
      start: "2024-02-29",
      end: "2024-03-30",
      nextBillingDate: "2024-03-31",
    });
    expect(isLiveOn(l, isoDate("2024-03-30"))).toBe(true);
    expect(currentTerm(l, isoDate("2024-03-31"))).toMatchObject({
      start: "2024-03-31",
      end: "2024-04-29",
      nextBillingDate: "2024-04-30",
    });
    // Annual, bought on 29 February: renewals on 28 February, and on the 29th in a leap year.
    const annual = makeLicense({
      charges: [{ date: isoDate("2024-02-29"), amountYen: 7980, type: "purchase" }],
    });
    expect(currentTerm(annual, isoDate("2028-02-28"))).toMatchObject({
      start: "2027-02-28",
      end: "2028-02-28",
      nextBillingDate: "2028-02-29",
    });
  });

  it("monthly: a month, clamped at month ends", () => {
    expect(termEnd(makeMonthly(), isoDate("2024-05-10"))).toBe("2024-05-31");
    const jan31 = makeMonthly({
      charges: [{ date: isoDate("2024-01-31"), amountYen: 980, type: "purchase" }],
      autoRenew: false,
    });
    expect(currentTerm(jan31, isoDate("2024-02-10"))).toMatchObject({
      end: "2024-02-28",
      nextBillingDate: "2024-02-29",
    });
  });

  it("projects renewals auto-renewal must have made when the record stops listing them", () => {
    const t = currentTerm(makeLicense(), isoDate("2025-06-10"))!;
    expect(t.charge).toEqual({
      date: "2025-05-01",
      amountYen: 7980,
      type: "renewal",
      projected: true,
    });
    expect(t.end).toBe("2026-04-30");
    const m = currentTerm(makeMonthly(), isoDate("2024-08-01"))!;
    expect(m.charge).toMatchObject({ date: "2024-08-01", projected: true });
    expect(currentTerm(makeMonthly(), isoDate("2024-07-31"))!.charge.date).toBe("2024-07-01");
  });

  it("does not project once auto-renewal is off: the licence expires at the end of its term", () => {
    const l = makeLicense({ autoRenew: false });
    expect(termEnd(l, isoDate("2025-06-10"))).toBe("2025-04-30");
    expect(isLiveOn(l, isoDate("2025-04-30"))).toBe(true);
    expect(isLiveOn(l, isoDate("2025-05-01"))).toBe(false);
    expect(isLiveOn(makeLicense({ renewalState: "stop_requested" }), isoDate("2025-05-01"))).toBe(
      false,
    );
  });

  it("has no term before the first charge (trial not converted yet)", () => {
    const trial = makeLicense({
      kind: "trial",
      charges: [{ date: isoDate("2024-06-01"), amountYen: 7980, type: "trial_conversion" }],
    });
    expect(currentTerm(trial, isoDate("2024-05-31"))).toBeNull();
    expect(isLiveOn(trial, isoDate("2024-05-31"))).toBe(false);
    expect(firstCharge(trial)!.type).toBe("trial_conversion");
    expect(() => currentTerm(trial, "2024-5-31" as IsoDate)).toThrow(/invalid date/);
  });

  it("derives the renewal state from autoRenew unless the console recorded one", () => {
    expect(renewalStateOf(makeLicense())).toBe("active");
    expect(renewalStateOf(makeLicense({ autoRenew: false }))).toBe("stopped");
    expect(renewalStateOf(makeLicense({ renewalState: "stop_requested" }))).toBe("stop_requested");
  });

  it("finds the add-ons linked to a main licence", () => {
    const main = makeLicense();
    const a = makeLicense({ ref: "A1", mainLicense: "L1" });
    const b = makeLicense({ ref: "A2", mainLicense: "A1" });
    const other = makeLicense({ ref: "X", mainLicense: "L9" });
    expect(addOnsOf(main, [main, a, b, other]).map((l) => l.ref)).toEqual(["A1", "A2"]);
    expect(addOnsOf(a, [main, a, b, other]).map((l) => l.ref)).toEqual(["A2"]);
  });
});
