// Publishing a new tariff version from the console (T-2): what the operator typed, checked
// against the versions stored, down to the prices that change. Pure.
//
// A version starts on the 1st of a month after today and after every stored version (decision
// 0013): each billing month is priced with the version in force on its first day, so a version
// starting mid-month would apply only from the next month anyway, and one starting today or
// earlier would reprice months already quoted or billed. It inherits every price of the version
// before it and lists only the prices that change, as an imported version does.
import { isIsoDate, type IsoDate, isoDate } from "../lib/jst";
import { parseYenInput } from "../lib/money";
import { invalid, invalidField, ok, type Result } from "../lib/result";
import {
  BUILT_IN_TARIFF,
  GATEWAY_WITHOUT_REPAIR_DISCOUNT_CODE,
  NEW_CODE_RE,
  validateTariffUpdates,
  type TariffVersion,
} from "./tariff";

const BUILT_IN_LABELS: Readonly<Record<string, string>> = {
  "base.standard": "基本料金（プラン①）",
  endpoint: "エンドポイントセキュリティ（1台）",
  "gateway.gw10": "ゲートウェイ装置 10クライアントモデル（24時間修理付き）",
  "gateway.gw50": "ゲートウェイ装置 50クライアントモデル（24時間修理付き）",
  "gateway.gw100": "ゲートウェイ装置 100クライアントモデル（24時間修理付き）",
  [GATEWAY_WITHOUT_REPAIR_DISCOUNT_CODE]: "24時間修理なしの値引き（ゲートウェイ1台）",
  sandbox: "クラウドサンドボックス",
  "device.gw10": "ゲートウェイ装置代金 10クライアント（未返却・破損）",
  "device.gw50": "ゲートウェイ装置代金 50クライアント（未返却・破損）",
  "device.gw100": "ゲートウェイ装置代金 100クライアント（未返却・破損）",
  "visit.base": "訪問 基本作業費",
  "visit.diagnosis": "訪問 診断料",
  "visit.os_recovery": "訪問 OSリカバリ（1台）",
  "visit.os_update": "訪問 OSアップデート（1台）",
  "visit.internet": "訪問 インターネット接続設定（1台）",
  "visit.wifi": "訪問 Wi-Fi設定（1台）",
  "visit.app": "訪問 アプリケーション設定（1件）",
  "visit.printer": "訪問 プリンター設定（1台）",
  "visit.gateway_install": "訪問 ゲートウェイ装置の設置・設定（1台）",
  "migration.upto_4_7gb": "データ移行 4.7GBまで（1台）",
  "migration.upto_50gb.pcs_1": "データ移行 50GBまで 1台",
  "migration.upto_50gb.pcs_2_3": "データ移行 50GBまで 2〜3台（1台あたり）",
  "migration.upto_50gb.pcs_4_5": "データ移行 50GBまで 4〜5台（1台あたり）",
  "migration.upto_50gb.pcs_6_10": "データ移行 50GBまで 6〜10台（1台あたり）",
  "migration.upto_50gb.pcs_11_15": "データ移行 50GBまで 11〜15台（1台あたり）",
  "migration.upto_50gb.pcs_16_20": "データ移行 50GBまで 16〜20台（1台あたり）",
  "migration.upto_4tb": "データ移行 4TBまで（1台）",
  "migration.per_started_tb_over_4tb": "データ移行 4TB超 1TBごと",
};

/** The Japanese name of a tariff code, also of the new codes a version may add. */
export function tariffCodeLabel(code: string): string {
  const known = BUILT_IN_LABELS[code];
  if (known) return known;
  const plan = /^base\.(.+)$/.exec(code);
  if (plan) return `基本料金（${plan[1]}）`;
  const gateway = /^gateway\.gw(\d+)$/.exec(code);
  if (gateway) return `ゲートウェイ装置 ${gateway[1]}クライアントモデル（24時間修理付き）`;
  const device = /^device\.gw(\d+)$/.exec(code);
  if (device) return `ゲートウェイ装置代金 ${device[1]}クライアント（未返却・破損）`;
  return code;
}

/** What the form holds: a price per code (blank = inherited) and up to a few new codes. */
export interface TariffVersionInput {
  effectiveFrom: string;
  prices: Readonly<Record<string, string>>;
  newCodes: readonly { code: string; price: string }[];
}

/** The version to store, or the problems field by field (the one result type, app/lib/result.ts). */
export type TariffVersionDraft = Result<TariffVersion>;

/**
 * The version the operator asks for, with only the prices that differ from the latest stored
 * version's, or the problems field by field (`effectiveFrom`, `price.CODE`, `newCode.N`, `_form`).
 * `versions` is the resolved list (`tariffVersions(updates)`), never empty.
 */
export function draftTariffVersion(
  input: TariffVersionInput,
  versions: readonly TariffVersion[],
  today: IsoDate,
): TariffVersionDraft {
  const errors: Record<string, string> = {};
  const latest = versions[versions.length - 1] ?? BUILT_IN_TARIFF;
  const from = input.effectiveFrom.trim();
  if (!isIsoDate(from)) errors.effectiveFrom = "適用開始日を正しい日付で入力してください";
  else if (!from.endsWith("-01"))
    errors.effectiveFrom = "適用開始日は月の初日にしてください（料金は各月の初日の版で計算します）";
  else if (from <= today)
    errors.effectiveFrom =
      "適用開始日は明日以降の月初にしてください（見積り済み・請求済みの月の料金は変えられません）";
  else if (from <= latest.effectiveFrom)
    errors.effectiveFrom = `適用開始日は最新の版（${latest.effectiveFrom}）より後にしてください`;

  const changed: Record<string, number> = {};
  for (const [code, raw] of Object.entries(input.prices)) {
    if (raw.trim() === "") continue;
    if (!(code in latest.prices)) {
      errors[`price.${code}`] = "この料金コードはありません";
      continue;
    }
    const price = parseYenInput(raw);
    if (price === null) errors[`price.${code}`] = "料金は0以上の整数（円）で入力してください";
    else if (price !== latest.prices[code]) changed[code] = price;
  }
  input.newCodes.forEach(({ code: rawCode, price: rawPrice }, i) => {
    const code = rawCode.trim();
    if (code === "" && rawPrice.trim() === "") return;
    const price = parseYenInput(rawPrice);
    if (!NEW_CODE_RE.test(code)) {
      errors[`newCode.${i}`] =
        "新しい料金コードは base.〇〇（基本プラン）、gateway.gw数字（ゲートウェイ）、device.gw数字（装置代金）の形で入力してください";
    } else if (code in latest.prices) {
      errors[`newCode.${i}`] = `${code} はすでにあります。上の一覧で料金を入力してください`;
    } else if (price === null) {
      errors[`newCode.${i}`] = "料金は0以上の整数（円）で入力してください";
    } else {
      changed[code] = price;
    }
  });
  if (Object.keys(errors).length > 0) return invalid(errors);
  if (Object.keys(changed).length === 0)
    return invalidField(
      "_form",
      "変更する料金を1つ以上入力してください（空欄は前の版の料金を引き継ぎます）",
    );
  const version = { effectiveFrom: isoDate(from), prices: changed };
  // The rules an imported version obeys too (codes, non-negative yen), as a last guard.
  const problems = validateTariffUpdates([version], "version");
  if (problems.length > 0)
    return invalidField("_form", problems.map((p) => `${p.path}: ${p.message}`).join("; "));
  return ok(version);
}

/** Whether a stored version may still be withdrawn: it is not in force yet (starts after `today`). */
export function isWithdrawable(
  version: Pick<TariffVersion, "effectiveFrom">,
  today: IsoDate,
): boolean {
  return version.effectiveFrom > today;
}
