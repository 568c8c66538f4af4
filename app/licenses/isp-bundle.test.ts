import { failureMessage } from "../lib/result";
import { describe, expect, it } from "vitest";
import {
  APPLICATION_MONTH_FREE_NOTICE,
  applyForIspSecurity,
  contractsNeeded,
  endWithMainServices,
  generateContractNumber,
  generatePin,
  ispCancellationEffectiveEnd,
  ispMonthlyChargeYen,
  ispStatusOn,
  requestIspCancellation,
  revokeIspCancellation,
  SWITCHING_WARNING,
  type IspApplication,
  type IspContract,
  type RandomInt,
} from "./isp-bundle";
import { isoDate, yearMonth } from "../lib/jst";

/** A deterministic random source cycling through the given integers (each taken modulo the bound). */
function sequence(...values: number[]): RandomInt {
  let i = 0;
  return (max) => values[i++ % values.length] % max;
}

const application: IspApplication = {
  idempotencyKey: "form-7f3a",
  customer: "C1",
  product: "multi_device_security",
  devices: 3,
  appliedOn: isoDate("2024-04-10"),
};

function applied(
  app: IspApplication = application,
  existing: IspContract[] = [],
  random: RandomInt = sequence(0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
): IspContract {
  const r = applyForIspSecurity(existing, app, random);
  if (!r.ok) throw new Error(failureMessage(r));
  return r.value.contract;
}

describe("L-4 contract number and PIN from an injected random source", () => {
  it("are deterministic for a given source", () => {
    expect(generateContractNumber(sequence(0, 1, 2, 3, 4, 5, 6, 7, 8, 9))).toBe("1123456789");
    expect(generatePin(sequence(0, 1, 2, 3))).toBe("ABCD-ABCD-ABCD-ABCD");
  });
  it("reject a source that leaves its range", () => {
    expect(() => generatePin(() => 32)).toThrow(/random source returned 32/);
  });
});

describe("L-4 applying", () => {
  it("issues a contract at the tax-inclusive price for up to 3 devices", () => {
    const r = applyForIspSecurity([], application, sequence(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    if (!r.ok) throw new Error(failureMessage(r));
    expect(r.value.created).toBe(true);
    expect(r.value.contract).toMatchObject({
      contractNumber: "1123456789",
      monthlyYenTaxIncluded: 627,
      devices: 3,
      cancellation: null,
      endedOn: null,
    });
    expect(r.value.contract.pin).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
    expect(r.value.warnings).toEqual([APPLICATION_MONTH_FREE_NOTICE]);
  });

  it("refuses a 4th device on one contract and says how many contracts are needed", () => {
    expect(applyForIspSecurity([], { ...application, devices: 4 }, sequence(1))).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        devices:
          "1契約で端末3台までご利用が可能です。ご利用端末台数に応じて2契約をお申込みください。",
      },
    });
    expect(applyForIspSecurity([], { ...application, devices: 0 }, sequence(1)).ok).toBe(false);
    expect(contractsNeeded("multi_device_security", 7)).toBe(3);
    expect(contractsNeeded("web_filtering_android", 2)).toBe(2);
  });

  it("web filtering is 220 yen per device, one device a contract", () => {
    expect(
      applied({ ...application, idempotencyKey: "k2", product: "web_filtering_win", devices: 1 })
        .monthlyYenTaxIncluded,
    ).toBe(220);
    expect(
      applyForIspSecurity(
        [],
        { ...application, product: "web_filtering_android", devices: 2 },
        sequence(1),
      ).ok,
    ).toBe(false);
  });

  it("a double submission (same key) returns the existing contract and creates nothing", () => {
    const first = applied();
    const again = applyForIspSecurity([first], { ...application }, sequence(9, 9, 9));
    expect(again).toEqual({ ok: true, value: { contract: first, created: false, warnings: [] } });
    expect(applyForIspSecurity([first], { ...application, devices: 2 }, sequence(9)).ok).toBe(
      false,
    );
  });

  it("never reuses an existing contract number or PIN", () => {
    const first = applied();
    // The source first repeats the first draws, then moves on.
    const values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5];
    let i = 0;
    const second = applied(
      { ...application, idempotencyKey: "other" },
      [first],
      (max) => (i < values.length ? values[i++] : 7 + i++) % max,
    );
    expect(second.contractNumber).not.toBe(first.contractNumber);
    expect(second.pin).not.toBe(first.pin);
    expect(i).toBeGreaterThan(values.length); // the colliding first draw was discarded
  });

  it("warns that switching does not cancel the old product", () => {
    const old = applied();
    const r = applyForIspSecurity(
      [old],
      { ...application, idempotencyKey: "new", appliedOn: isoDate("2024-06-01") },
      sequence(5, 4, 3),
    );
    if (!r.ok) throw new Error(failureMessage(r));
    expect(r.value.warnings[0]).toBe(
      `${SWITCHING_WARNING}（ご契約中: マルチデバイスセキュリティ 契約番号 1123456789）`,
    );
    const ended = {
      ...old,
      cancellation: { requestedOn: isoDate("2024-04-20"), effectiveEnd: isoDate("2024-04-30") },
    };
    const later = applyForIspSecurity(
      [ended],
      { ...application, idempotencyKey: "new", appliedOn: isoDate("2024-06-01") },
      sequence(5, 4, 3),
    );
    expect(later.ok && later.value.warnings).toEqual([APPLICATION_MONTH_FREE_NOTICE]);
  });
});

describe("L-4 charges and cancellation", () => {
  const contract = applied();

  it("the application month is free, later months are charged in full", () => {
    expect(ispMonthlyChargeYen(contract, yearMonth("2024-03"))).toBe(0);
    expect(ispMonthlyChargeYen(contract, yearMonth("2024-04"))).toBe(0);
    expect(ispMonthlyChargeYen(contract, yearMonth("2024-05"))).toBe(627);
  });

  it("takes effect on the last day of the request month, which is charged in full", () => {
    expect(ispCancellationEffectiveEnd(isoDate("2024-07-05"))).toBe("2024-07-31");
    expect(ispCancellationEffectiveEnd(isoDate("2024-07-31"))).toBe("2024-07-31");
    expect(ispCancellationEffectiveEnd(isoDate("2024-08-01"))).toBe("2024-08-31");
    const r = requestIspCancellation(contract, isoDate("2024-07-05"));
    if (!r.ok) throw new Error(failureMessage(r));
    expect(r.value.contract.cancellation).toEqual({
      requestedOn: "2024-07-05",
      effectiveEnd: "2024-07-31",
    });
    expect(r.value.notices).toEqual([
      "解約日は解約申込み日の月末日（2024-07-31）となります。",
      "解約月のご利用料金の日割りによる精算はいたしません。",
      "当月中（2024-07-31 まで）は解約予約の取消ができます。",
    ]);
    expect(ispMonthlyChargeYen(r.value.contract, yearMonth("2024-07"))).toBe(627);
    expect(ispMonthlyChargeYen(r.value.contract, yearMonth("2024-08"))).toBe(0);
    expect(ispStatusOn(r.value.contract, isoDate("2024-07-31"))).toBe("cancellation_pending");
    expect(ispStatusOn(r.value.contract, isoDate("2024-08-01"))).toBe("ended");
  });

  it("a cancellation in the application month costs nothing", () => {
    const r = requestIspCancellation(contract, isoDate("2024-04-20"));
    if (!r.ok) throw new Error(failureMessage(r));
    expect(
      ["2024-04", "2024-05"].map((m) => ispMonthlyChargeYen(r.value.contract, yearMonth(m))),
    ).toEqual([0, 0]);
  });

  it("can be revoked up to the last day of the month, not after", () => {
    const r = requestIspCancellation(contract, isoDate("2024-07-05"));
    if (!r.ok) throw new Error(failureMessage(r));
    const revoked = revokeIspCancellation(r.value.contract, isoDate("2024-07-31"));
    expect(revoked.ok && revoked.value.contract.cancellation).toBeNull();
    expect(revoked.ok && ispMonthlyChargeYen(revoked.value.contract, yearMonth("2024-08"))).toBe(
      627,
    );
    expect(revokeIspCancellation(r.value.contract, isoDate("2024-08-01"))).toEqual({
      ok: false,
      kind: "conflict",
      message: "解約日（2024-07-31）を過ぎているため、取り消せません。",
    });
    expect(revokeIspCancellation(contract, isoDate("2024-07-10")).ok).toBe(false);
  });

  it("refuses a second cancellation and a cancellation after the end", () => {
    const r = requestIspCancellation(contract, isoDate("2024-07-05"));
    if (!r.ok) throw new Error(failureMessage(r));
    expect(requestIspCancellation(r.value.contract, isoDate("2024-07-20"))).toEqual({
      ok: false,
      kind: "conflict",
      message: "解約予約済みです（解約日 2024-07-31）。",
    });
    expect(requestIspCancellation(r.value.contract, isoDate("2024-08-02"))).toEqual({
      ok: false,
      kind: "conflict",
      message: "この契約はすでに終了しています。",
    });
  });
});

describe("L-4 automatic end with the main ISP services", () => {
  const a = applied();
  const b = applied(
    { ...application, idempotencyKey: "k-b", product: "web_filtering_win", devices: 1 },
    [a],
    sequence(3, 1, 4, 1, 5),
  );
  const other = applied(
    { ...application, idempotencyKey: "k-o", customer: "C2" },
    [a, b],
    sequence(2, 7, 1, 8, 2, 8),
  );

  it("ends every security contract of the customer when all main services ended or are suspended", () => {
    const ended = endWithMainServices(
      [a, b, other],
      [
        { customer: "C1", status: "ended", lastDay: isoDate("2024-09-30") },
        { customer: "C1", status: "suspended", lastDay: isoDate("2024-10-15") },
        { customer: "C2", status: "active", lastDay: null },
      ],
      isoDate("2024-10-20"),
    );
    expect(ended.map((c) => [c.contractNumber, c.endedOn, c.endReason])).toEqual([
      [a.contractNumber, "2024-10-15", "main_services_ended"],
      [b.contractNumber, "2024-10-15", "main_services_ended"],
    ]);
    expect(ispStatusOn(ended[0], isoDate("2024-10-15"))).toBe("active");
    expect(ispStatusOn(ended[0], isoDate("2024-10-16"))).toBe("ended");
    expect(ispMonthlyChargeYen(ended[0], yearMonth("2024-10"))).toBe(627);
    expect(ispMonthlyChargeYen(ended[0], yearMonth("2024-11"))).toBe(0);
  });

  it("does nothing while one main service is still active, or before the last one ends", () => {
    expect(
      endWithMainServices(
        [a],
        [
          { customer: "C1", status: "ended", lastDay: isoDate("2024-09-30") },
          { customer: "C1", status: "active", lastDay: null },
        ],
        isoDate("2024-10-20"),
      ),
    ).toEqual([]);
    expect(
      endWithMainServices(
        [a],
        [{ customer: "C1", status: "ended", lastDay: isoDate("2024-10-31") }],
        isoDate("2024-10-30"),
      ),
    ).toEqual([]);
    expect(
      endWithMainServices(
        [a],
        [{ customer: "C1", status: "ended", lastDay: isoDate("2024-10-31") }],
        isoDate("2024-10-31"),
      ),
    ).toHaveLength(1);
    expect(endWithMainServices([a], [], isoDate("2024-10-31"))).toEqual([]);
  });
});

describe("L-4 a contract ended with the main services is neither cancelled nor revived", () => {
  const contract = applied();

  it("refuses a cancellation on its last day and after", () => {
    const [ended] = endWithMainServices(
      [contract],
      [{ customer: "C1", status: "ended", lastDay: isoDate("2024-10-15") }],
      isoDate("2024-10-15"),
    );
    expect(ended.endedOn).toBe("2024-10-15");
    expect(requestIspCancellation(ended, isoDate("2024-10-15"))).toEqual({
      ok: false,
      kind: "conflict",
      message: "主契約の終了に伴い自動解約（2024-10-15）のため、解約のお申込みは不要です。",
    });
    expect(requestIspCancellation(ended, isoDate("2024-10-16")).ok).toBe(false);
  });

  it("a cancellation booked before the main services ended cannot be revoked back to life", () => {
    const booked = requestIspCancellation(contract, isoDate("2024-10-05"));
    if (!booked.ok) throw new Error(failureMessage(booked));
    const [ended] = endWithMainServices(
      [booked.value.contract],
      [{ customer: "C1", status: "suspended", lastDay: isoDate("2024-10-15") }],
      isoDate("2024-10-20"),
    );
    expect(ended.endedOn).toBe("2024-10-15");
    expect(ispStatusOn(ended, isoDate("2024-10-16"))).toBe("ended");
    expect(revokeIspCancellation(ended, isoDate("2024-10-10"))).toEqual({
      ok: false,
      kind: "conflict",
      message: "主契約の終了に伴い自動解約（2024-10-15）のため、解約予約は取り消せません。",
    });
  });
});
