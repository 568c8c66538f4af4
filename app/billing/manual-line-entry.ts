// Manual invoice lines entered in the console: the charges and credits the terms leave to the
// provider's judgement, each with the rule that allows it. Pure: from the form to the line the
// billing run puts on the invoice of the month of its date (monthly-invoice.ts, manual lines).
//   T-25     surcharge for evaded charges: twice the evaded amount (tax-exclusive), taxed when
//            the evaded fee was taxable
//   T-32     disaster relief: a credit naming the relief decision (taxable: it reduces fees)
//   S1-4④    a gateway failure the customer caused: dispatch, technical and parts fees
//   S6       data migration of more than 20 PCs at the 50 GB tier: the quoted price
//   manual   anything else finance decides, with its own description and tax category
import { z } from "zod";
import { isIsoDate, type IsoDate } from "../lib/jst";
import { parseYenInput, toYen, type Yen } from "../lib/money";
import { formatYen } from "../lib/format";
import { yenTimes } from "../lib/yen";

export const MANUAL_LINE_KINDS = {
  surcharge: "割増金（規約第25条：不当に免れた料金の2倍）",
  relief: "災害時の料金減免（規約第32条）",
  repair: "お客さま起因のゲートウェイ故障対応（別紙1 S1-4④）",
  data_migration: "データ移行の見積り（20台超、別紙6）",
  other: "その他の手動明細",
} as const;
export type ManualLineKind = keyof typeof MANUAL_LINE_KINDS;

/** What the amount field means for each kind (shown as its label). */
export const MANUAL_LINE_AMOUNT_LABELS: Record<ManualLineKind, string> = {
  surcharge: "免れた料金（税抜）",
  relief: "減額する金額（税抜）",
  repair: "請求額（税抜：出動費・技術料・部品代）",
  data_migration: "見積額（税抜）",
  other: "金額（税抜、減額は「減額」を選択）",
};

/** What the text field means for each kind. */
export const MANUAL_LINE_NOTE_LABELS: Record<ManualLineKind, string> = {
  surcharge: "免れた料金の内容",
  relief: "減免の決定（名称・対象地域と期間）",
  repair: "作業の内容",
  data_migration: "見積りの内容",
  other: "明細の内容（請求書に記載）",
};

/** The largest amount a manual line may carry: a typo of a few digits is refused, not invoiced. */
export const MANUAL_LINE_MAX_YEN = 10_000_000;

const yenField = z.string().transform((value, ctx) => {
  const amount = parseYenInput(value);
  if (amount === null || amount === 0) {
    ctx.addIssue({ code: "custom", message: "金額を1円以上の整数で入力してください" });
    return z.NEVER;
  }
  if (amount > MANUAL_LINE_MAX_YEN) {
    ctx.addIssue({
      code: "custom",
      message: `金額は${formatYen(MANUAL_LINE_MAX_YEN)}以下で入力してください`,
    });
    return z.NEVER;
  }
  return amount;
});

export const ManualLineForm = z.object({
  kind: z.enum(Object.keys(MANUAL_LINE_KINDS) as [ManualLineKind, ...ManualLineKind[]], {
    error: "種類を選んでください",
  }),
  date: z.string().refine(isIsoDate, "計上日を正しい日付で入力してください"),
  amount: yenField,
  note: z
    .string()
    .trim()
    .min(1, "内容を入力してください")
    .max(100, "内容は100文字以内で入力してください"),
  /** `taxable` or `non_taxable`: asked for a surcharge (the evaded fee's category) and for other lines. */
  taxCategory: z
    .enum(["taxable_10", "non_taxable"], { error: "課税区分を選んでください" })
    .default("taxable_10"),
  /** `credit` for an other line that reduces the invoice. */
  sign: z.enum(["charge", "credit"]).default("charge"),
});
export type ManualLineInput = z.output<typeof ManualLineForm>;

/** The row of `manual_lines` (without its contract and author). */
export interface ManualLineEntry {
  lineDate: IsoDate;
  description: string;
  amountYen: Yen;
  taxable: boolean;
  code: string;
  rule: string;
}

export function manualLineEntry(input: ManualLineInput): ManualLineEntry {
  const { date: lineDate, amount, note } = input;
  switch (input.kind) {
    case "surcharge":
      return {
        lineDate,
        amountYen: yenTimes(amount, 2),
        taxable: input.taxCategory === "taxable_10",
        code: "surcharge.evasion",
        rule: "T-25",
        description: `割増金（不当に免れた料金 ${formatYen(amount)}の2倍：${note}）`,
      };
    case "relief":
      return {
        lineDate,
        amountYen: toYen(-amount),
        taxable: true,
        code: "credit.relief",
        rule: "T-32",
        description: `災害時の料金減免（${note}）`,
      };
    case "repair":
      return {
        lineDate,
        amountYen: amount,
        taxable: true,
        code: "repair.gateway",
        rule: "S1-4④",
        description: `ゲートウェイ故障対応（お客さま起因）：${note}`,
      };
    case "data_migration":
      return {
        lineDate,
        amountYen: amount,
        taxable: true,
        code: "visit.data_migration",
        rule: "S6",
        description: `データ移行（お見積り）：${note}`,
      };
    case "other":
      return {
        lineDate,
        amountYen: input.sign === "credit" ? toYen(-amount) : amount,
        taxable: input.taxCategory === "taxable_10",
        code: "manual",
        rule: "manual",
        description: note,
      };
  }
}
