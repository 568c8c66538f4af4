// Dunning of overdue invoices: reminders on set days after the due date (a provider setting,
// default the 1st and 10th day), each stating what is owed and the late interest to that day
// (T-26), and after the last one the T-17 prior notice of a non-payment suspension. Pure: the
// setting, which step is due on a day, and the mail.
import { z } from "zod";
import { addDays, daysBetween, type IsoDate } from "../lib/jst";
import { INTEREST_GRACE_DAYS } from "./late-interest";
import { formatBillingMonth, formatDate, formatYen } from "../lib/format";

export const DEFAULT_DUNNING_DAYS: readonly number[] = [1, 10];
export const MAX_DUNNING_DAY = 60;
export const MAX_DUNNING_STEPS = 10;
/**
 * A step missed (the server was down that day) is still sent this many days late, never later:
 * turning dunning on, or adding a day, does not mail invoices long overdue.
 */
export const DUNNING_CATCH_UP_DAYS = 7;
/** T-17: the non-payment suspension starts this many days after its prior notice. */
export const SUSPENSION_NOTICE_DAYS = 10;

/** "1,10" → [1, 10]; the stored text is always valid (written through the form). */
export function parseDunningDays(stored: string | null | undefined): number[] {
  const days = (stored ?? "")
    .split(",")
    .map((d) => Number(d.trim()))
    .filter((d) => Number.isInteger(d) && d >= 1 && d <= MAX_DUNNING_DAY);
  return days.length ? [...new Set(days)].sort((a, b) => a - b) : [...DEFAULT_DUNNING_DAYS];
}

export function dunningDaysText(days: readonly number[]): string {
  return days.join(",");
}

/** `1日後、10日後`. */
export function dunningDaysLabel(days: readonly number[]): string {
  return days.map((d) => `${d}日後`).join("、");
}

export const DunningSettingsForm = z.object({
  dunningDays: z.string({ error: "督促する日を入力してください" }).transform((v, ctx) => {
    const parts = v
      .normalize("NFKC")
      .split(/[,、\s]+/)
      .filter(Boolean);
    if (parts.length === 0) {
      ctx.addIssue({ code: "custom", message: "督促する日を入力してください（例: 1,10）" });
      return z.NEVER;
    }
    const days = parts.map(Number);
    if (days.some((d) => !Number.isInteger(d) || d < 1 || d > MAX_DUNNING_DAY)) {
      ctx.addIssue({
        code: "custom",
        message: `督促する日は支払期限の1〜${MAX_DUNNING_DAY}日後を半角数字で、カンマ区切りで入力してください（例: 1,10）`,
      });
      return z.NEVER;
    }
    const unique = [...new Set(days)].sort((a, b) => a - b);
    if (unique.length > MAX_DUNNING_STEPS) {
      ctx.addIssue({
        code: "custom",
        message: `督促する日は${MAX_DUNNING_STEPS}日までにしてください`,
      });
      return z.NEVER;
    }
    return unique;
  }),
});

/**
 * The step due on `today` for an invoice due on `dueDate` that already went through the steps
 * `done`: the latest set day reached, if no later-or-equal step was sent and it is at most
 * DUNNING_CATCH_UP_DAYS late. Null = nothing to send today.
 */
export function dunningStepDue(
  dueDate: IsoDate,
  today: IsoDate,
  days: readonly number[],
  done: readonly number[],
): number | null {
  const overdueDays = daysBetween(dueDate, today);
  const reached = days.filter((d) => d <= overdueDays);
  if (reached.length === 0) return null;
  const step = reached[reached.length - 1];
  if (done.some((d) => d >= step)) return null;
  return overdueDays - step <= DUNNING_CATCH_UP_DAYS ? step : null;
}

export interface ReminderFacts {
  providerName: string;
  providerPhone: string;
  bankAccount: string;
  recipientName: string;
  invoiceNumber: string;
  billingMonth: string;
  dueDate: IsoDate;
  today: IsoDate;
  owedYen: number;
  interestYen: number;
  /** The start of the non-payment suspension noticed with this (last) reminder, if any. */
  suspensionStartsOn: IsoDate | null;
}

export function dunningMailRef(invoiceNumber: string, day: number): string {
  return `dunning:${invoiceNumber}:${day}`;
}

export function reminderMail(f: ReminderFacts): { subject: string; text: string } {
  const month = formatBillingMonth(f.billingMonth);
  const graceEnds = addDays(f.dueDate, INTEREST_GRACE_DAYS);
  return {
    subject: `【${f.providerName}】お支払いのお願い（${month}、${f.invoiceNumber}）`,
    text: [
      `${f.recipientName} ご担当者さま`,
      "",
      `${f.providerName}です。${month}のご請求について、お支払期限（${formatDate(f.dueDate)}）を過ぎてもご入金を確認できておりません。`,
      "お手数ですが、下記の金額をお振り込みください。行き違いでお支払い済みの場合はご容赦ください。",
      "",
      `請求書番号: ${f.invoiceNumber}`,
      `未払いの額: ${formatYen(f.owedYen)}（${formatDate(f.today)}現在）`,
      `延滞利息: ${formatYen(f.interestYen)}（${formatDate(f.today)}にお支払いの場合、年14.5%、規約第26条）`,
      f.today <= graceEnds
        ? `${formatDate(graceEnds)}までにお支払いいただければ、延滞利息はかかりません。`
        : "延滞利息はお支払いが完了した月のご請求書でご請求します。",
      `お振込先: ${f.bankAccount}`,
      ...(f.suspensionStartsOn
        ? [
            "",
            `このままお支払いがない場合、規約第17条に基づき${formatDate(f.suspensionStartsOn)}からご利用を停止します（別途「利用停止のお知らせ」をお送りします）。お支払いいただければ停止は解除されます。`,
          ]
        : []),
      "",
      `ご不明な点は ${f.providerPhone}（9:00〜21:00、12/29〜1/3を除く）までお問い合わせください。`,
    ].join("\n"),
  };
}
