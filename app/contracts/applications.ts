// Applications (T-7) and their review (T-8): the fields of the form, the rejection reasons of
// T-8-2 (also those for revoking an approval, T-8-3), and what may be approved. Pure.
import { z } from "zod";
import { addressField, emailField, nameField, phoneField } from "../lib/fields";
import { isIsoDate } from "../lib/jst";
import { areaOfAddress } from "./prefecture-area";

export const REJECTION_REASONS: Record<number, string> = {
  1: "（1）技術上著しく困難なとき",
  2: "（2）申込者が実在しない、またはそのおそれがあるとき",
  3: "（3）本サービスまたは当社の他のサービスの料金の支払いを現に怠り、または怠るおそれがあるとき",
  4: "（4）申込みの内容に虚偽の記載があったとき",
  5: "（5）その他、当社の業務の遂行上著しい支障があるとき",
};

export const GATEWAY_MODELS = ["gateway.gw10", "gateway.gw50", "gateway.gw100"] as const;

const required = (label: string, max = 200) =>
  z
    .string()
    .trim()
    .min(1, `${label}を入力してください`)
    .max(max, `${label}は${max}文字以内で入力してください`);

/**
 * Issue 17 item 11: an area left empty is the one serving the address's prefecture, so the form
 * works without JavaScript (the browser fills the same suggestion in as the address is typed).
 */
function withAreaFromAddress(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null) return raw;
  const values = raw as Record<string, unknown>;
  if (values.area !== undefined && values.area !== "") return raw;
  const area = areaOfAddress(typeof values.holderAddress === "string" ? values.holderAddress : "");
  return area ? { ...values, area } : raw;
}

/** The T-7 form. `customerId` empty = a new customer from the holder fields. */
const ApplicationFields = z.object({
  customerId: z.string().optional(),
  holderName: nameField("契約者名"),
  holderAddress: addressField(),
  holderPhone: phoneField(),
  holderEmail: emailField(),
  lineId: required("回線ID", 20)
    .transform((v) => v.normalize("NFKC").toUpperCase())
    .refine(
      (v) => /^(CAF|COP)\d{7,10}$/.test(v),
      "回線IDは「CAF」または「COP」に続く数字で入力してください（例：CAF1234567）",
    ),
  area: z.enum(["east", "west"], {
    error: "エリアを選んでください（住所から都道府県を判定できませんでした）",
  }),
  endpointSeats: z.string().transform((v, ctx) => {
    const n = Number(v.normalize("NFKC"));
    if (!Number.isInteger(n) || n < 0 || n > 1000) {
      ctx.addIssue({
        code: "custom",
        message: "エンドポイントの台数は0〜1000の整数で入力してください",
      });
      return z.NEVER;
    }
    return n;
  }),
  endpointOwnership: z.enum(["rental", "purchased"], {
    error: "エンドポイントの区分を選んでください",
  }),
  gatewayModel: z.enum(["", ...GATEWAY_MODELS], { error: "ゲートウェイのモデルを選んでください" }),
  gatewayOwnership: z.enum(["rental", "purchased"], {
    error: "ゲートウェイの区分を選んでください",
  }),
  gatewayRepair24h: z.string().optional(),
  wishedStart: z.string().refine(isIsoDate, "利用開始希望日を正しい日付で入力してください"),
  consent: z.literal("yes", { error: "個人情報の取扱いへの同意が必要です" }),
});

export const ApplicationForm = z.preprocess(withAreaFromAddress, ApplicationFields);

export type ApplicationInput = z.output<typeof ApplicationForm>;
