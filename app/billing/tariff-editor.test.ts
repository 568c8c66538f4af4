import { describe, expect, it } from "vitest";
import { tariffVersions } from "./tariff";
import { draftTariffVersion, isWithdrawable, tariffCodeLabel } from "./tariff-editor";
import { isoDate } from "../lib/jst";

// Stored: the built-in version and one revision from 2026-08-01 (base.lite 2,000, sandbox 1,000).
const versions = tariffVersions([
  { effectiveFrom: isoDate("2026-08-01"), prices: { "base.lite": 2000, sandbox: 1000 } },
]);
const TODAY = isoDate("2026-11-22");
const input = (patch: Partial<Parameters<typeof draftTariffVersion>[0]> = {}) => ({
  effectiveFrom: "2027-01-01",
  prices: {},
  newCodes: [],
  ...patch,
});

describe("publishing a tariff version (T-2)", () => {
  it("keeps only the prices that change, and adds new codes", () => {
    const draft = draftTariffVersion(
      input({
        prices: {
          "base.standard": "3,300",
          endpoint: "600",
          sandbox: "",
          "visit.base": "４８００",
        },
        newCodes: [
          { code: "gateway.gw200", price: "29000" },
          { code: "", price: "" },
        ],
      }),
      versions,
      TODAY,
    );
    expect(draft).toEqual({
      ok: true,
      value: {
        effectiveFrom: "2027-01-01",
        prices: { "base.standard": 3300, "visit.base": 4800, "gateway.gw200": 29000 },
      },
    });
    // The new version inherits everything else.
    if (!draft.ok) throw new Error("refused");
    const next = tariffVersions([
      { effectiveFrom: isoDate("2026-08-01"), prices: { "base.lite": 2000, sandbox: 1000 } },
      draft.value,
    ]).at(-1)!;
    expect([
      next.prices["base.standard"],
      next.prices.endpoint,
      next.prices.sandbox,
      next.prices["base.lite"],
    ]).toEqual([3300, 600, 1000, 2000]);
  });

  it("starts on the 1st of a month after today and after the latest version", () => {
    const error = (effectiveFrom: string) => {
      const draft = draftTariffVersion(
        input({ effectiveFrom, prices: { "base.standard": "3300" } }),
        versions,
        TODAY,
      );
      return draft.ok ? null : draft.fields?.effectiveFrom;
    };
    expect(error("2027-01-15")).toBe(
      "適用開始日は月の初日にしてください（料金は各月の初日の版で計算します）",
    );
    expect(error("2026-11-01")).toBe(
      "適用開始日は明日以降の月初にしてください（見積り済み・請求済みの月の料金は変えられません）",
    );
    expect(error("2026-02-30")).toBe("適用開始日を正しい日付で入力してください");
    expect(error("2026-12-01")).toBeNull();
    const later = tariffVersions([
      { effectiveFrom: isoDate("2027-02-01"), prices: { sandbox: 1200 } },
    ]);
    expect(draftTariffVersion(input({ prices: { sandbox: "1500" } }), later, TODAY)).toEqual({
      ok: false,
      kind: "validation",
      fields: { effectiveFrom: "適用開始日は最新の版（2027-02-01）より後にしてください" },
    });
  });

  it("names each bad price and new code, and refuses a version that changes nothing", () => {
    const draft = draftTariffVersion(
      input({
        prices: { "base.standard": "3,3OO", "visit.base": "-100" },
        newCodes: [
          { code: "premium", price: "5000" },
          { code: "base.lite", price: "1800" },
        ],
      }),
      versions,
      TODAY,
    );
    expect(draft).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        "price.base.standard": "料金は0以上の整数（円）で入力してください",
        "price.visit.base": "料金は0以上の整数（円）で入力してください",
        "newCode.0":
          "新しい料金コードは base.〇〇（基本プラン）、gateway.gw数字（ゲートウェイ）、device.gw数字（装置代金）の形で入力してください",
        "newCode.1": "base.lite はすでにあります。上の一覧で料金を入力してください",
      },
    });
    expect(
      draftTariffVersion(
        input({ prices: { "base.standard": "3000", endpoint: "" } }),
        versions,
        TODAY,
      ),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        _form: "変更する料金を1つ以上入力してください（空欄は前の版の料金を引き継ぎます）",
      },
    });
  });

  it("names codes in Japanese, also new ones, and withdraws only versions not yet in force", () => {
    expect(tariffCodeLabel("migration.upto_50gb.pcs_2_3")).toBe(
      "データ移行 50GBまで 2〜3台（1台あたり）",
    );
    expect(tariffCodeLabel("base.lite")).toBe("基本料金（lite）");
    expect(tariffCodeLabel("gateway.gw200")).toBe(
      "ゲートウェイ装置 200クライアントモデル（24時間修理付き）",
    );
    expect(isWithdrawable({ effectiveFrom: isoDate("2026-12-01") }, TODAY)).toBe(true);
    expect(isWithdrawable({ effectiveFrom: isoDate("2026-11-22") }, TODAY)).toBe(false);
  });
});
