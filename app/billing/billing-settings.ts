// The provider's billing settings: when invoices fall due (T-27-1: the last day of M+1 unless the
// provider sets otherwise) and whether an invoice that would carry only late interest is left
// unbilled (T-26-3: off unless set). Pure: from the stored settings to the options every invoice
// of a month is drafted with.
import { z } from "zod";
import {
  addMonths,
  firstDayOf,
  isoDate,
  type IsoDate,
  lastDayOf,
  type YearMonth,
} from "../lib/jst";
import type { InvoiceOptions } from "./invoice";

export interface BillingSettings {
  /** Due in the month after the billing month (1) or the one after that (2). */
  dueMonthOffset: 1 | 2;
  /** Day of that month, 1–28; null = its last day. */
  dueDay: number | null;
  leaveInterestOnlyUnbilled: boolean;
}

export const DEFAULT_BILLING_SETTINGS: BillingSettings = {
  dueMonthOffset: 1,
  dueDay: null,
  leaveInterestOnlyUnbilled: false,
};

/** An invoice is issued on the 1st of M+1 (T-27-1); it falls due at least this many days later. */
export const MIN_DAYS_TO_PAY = 10;

export function dueDateOf(month: YearMonth, settings: BillingSettings): IsoDate {
  const dueMonth = addMonths(month, settings.dueMonthOffset);
  if (settings.dueDay === null) return lastDayOf(dueMonth);
  return isoDate(`${firstDayOf(dueMonth).slice(0, 8)}${String(settings.dueDay).padStart(2, "0")}`);
}

export function invoiceOptionsOf(month: YearMonth, settings: BillingSettings): InvoiceOptions {
  return {
    dueDate: dueDateOf(month, settings),
    leaveInterestOnlyUnbilled: settings.leaveInterestOnlyUnbilled,
  };
}

/** `翌月末日`, `翌々月10日`. */
export function dueRuleLabel(settings: Pick<BillingSettings, "dueMonthOffset" | "dueDay">): string {
  return `${settings.dueMonthOffset === 1 ? "翌月" : "翌々月"}${settings.dueDay === null ? "末日" : `${settings.dueDay}日`}`;
}

export const BillingSettingsForm = z
  .object({
    dueMonthOffset: z
      .enum(["1", "2"], { error: "支払期限の月を選んでください" })
      .transform((v) => Number(v) as 1 | 2),
    dueDay: z.string().transform((v, ctx) => {
      if (v === "end") return null;
      const day = Number(v.normalize("NFKC"));
      if (!Number.isInteger(day) || day < 1 || day > 28) {
        ctx.addIssue({
          code: "custom",
          message: "支払期限の日は1〜28日または末日を選んでください",
        });
        return z.NEVER;
      }
      return day;
    }),
    leaveInterestOnlyUnbilled: z
      .string()
      .optional()
      .transform((v) => v === "on"),
  })
  .refine((s) => s.dueMonthOffset === 2 || s.dueDay === null || s.dueDay > MIN_DAYS_TO_PAY, {
    path: ["dueDay"],
    message: `支払期限は発行日（翌月1日）から${MIN_DAYS_TO_PAY}日以上あとにしてください`,
  });
