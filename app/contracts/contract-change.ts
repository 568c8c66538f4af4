// Changes to a contract (T-9, T-13, S4 ※1): what each change does to the contract history, and
// its consequence before it is confirmed — the monthly fees of the month it takes effect, before
// and after, and the early-termination fee a downgrade of the base plan costs. Pure: the same
// monthly-invoice rules that bill compute the impact.
import type { ContractHistory } from "../billing/contract-history";
import { buildMonthlyInvoiceLines } from "../billing/monthly-invoice";
import type { TariffVersion } from "../billing/tariff";
import { addDays, isoDate, type IsoDate, monthOf, type YearMonth } from "../lib/jst";

export type ContractChange =
  | { kind: "endpoint_seats"; quantity: number }
  | { kind: "gateway_add"; model: string; ownership: "rental" | "purchased"; repair24h: boolean }
  | { kind: "gateway_remove"; model: string }
  | { kind: "base_plan"; basePlan: string }
  | { kind: "contact"; name: string; address: string; phone: string; email: string };

export const CHANGE_KIND_LABELS: Record<ContractChange["kind"], string> = {
  endpoint_seats: "エンドポイント台数の変更",
  gateway_add: "ゲートウェイの追加",
  gateway_remove: "ゲートウェイの撤去",
  base_plan: "基本プランの変更",
  contact: "名義・住所・連絡先の変更",
};

/**
 * The item rule for a new count of rented seats (docs/rules/terms.md, items added or removed): more seats
 * are a new line of the extra seats, the live lines going on; fewer seats end every live line and
 * start one line of the seats that stay, the same day. Each line is then charged on its own.
 */
export function seatChangeLines<T extends { quantity: number }>(
  live: readonly T[],
  quantity: number,
): { end: T[]; startQuantity: number } {
  const current = live.reduce((sum, line) => sum + line.quantity, 0);
  if (quantity >= current) return { end: [], startQuantity: quantity - current };
  return { end: [...live], startQuantity: quantity };
}

/** The history as it would be with the change taking effect on `date` (the item rule: lines start and end on that day). */
export function applyChange(
  history: ContractHistory,
  change: ContractChange,
  date: IsoDate,
): ContractHistory {
  const items = [...(history.items ?? [])];
  const live = (code: (c: string) => boolean) =>
    items.filter((i) => code(i.code) && (i.to ?? isoDate("9999-12-31")) > date && i.from <= date);
  switch (change.kind) {
    case "endpoint_seats": {
      const { end, startQuantity } = seatChangeLines(
        live((c) => c === "endpoint").filter((i) => i.ownership === "rental"),
        change.quantity,
      );
      const ended = items.map((i) => (end.includes(i) ? { ...i, to: date } : i));
      return {
        ...history,
        items:
          startQuantity > 0
            ? [
                ...ended,
                {
                  code: "endpoint",
                  quantity: startQuantity,
                  ownership: "rental",
                  from: date,
                  to: null,
                },
              ]
            : ended,
      };
    }
    case "gateway_add":
      return {
        ...history,
        items: [
          ...items,
          {
            code: change.model,
            quantity: 1,
            ownership: change.ownership,
            repair24h: change.repair24h,
            from: date,
            to: null,
          },
        ],
      };
    case "gateway_remove": {
      const target = live((c) => c === change.model)[0];
      return { ...history, items: items.map((i) => (i === target ? { ...i, to: date } : i)) };
    }
    case "base_plan":
      return {
        ...history,
        planChanges: [...(history.planChanges ?? []), { date, basePlan: change.basePlan }],
      };
    case "contact":
      return history;
  }
}

export interface ChangeImpact {
  month: string;
  monthlyBeforeYen: number;
  monthlyAfterYen: number;
  nextMonthlyBeforeYen: number;
  nextMonthlyAfterYen: number;
  etfYen: number;
  etfDescription: string | null;
}

function monthlyFees(
  history: ContractHistory,
  month: YearMonth,
  tariffs: readonly TariffVersion[],
): { fees: number; etf: number; etfText: string | null } {
  const result = buildMonthlyInvoiceLines(
    { ...history, payments: [], visits: [], outages: [], manualLines: [] },
    month,
    tariffs,
  );
  if (!result.ok) return { fees: 0, etf: 0, etfText: null };
  const etf = result.lines.filter((l) => l.code === "etf.downgrade");
  return {
    fees: result.lines.filter((l) => l.rule === "T-24-1").reduce((a, l) => a + l.amountYen, 0),
    etf: etf.reduce((a, l) => a + l.amountYen, 0),
    etfText: etf[0]?.description ?? null,
  };
}

/** The monthly fees (tax excluded) of the effective month and the next, before and after, and any downgrade ETF (S4 ※1). */
export function changeImpact(
  history: ContractHistory,
  change: ContractChange,
  date: IsoDate,
  tariffs: readonly TariffVersion[],
): ChangeImpact {
  const after = applyChange(history, change, date);
  const month = monthOf(date);
  const next = monthOf(addDays(isoDate(`${month}-28`), 7));
  const b = monthlyFees(history, month, tariffs);
  const a = monthlyFees(after, month, tariffs);
  return {
    month,
    monthlyBeforeYen: b.fees,
    monthlyAfterYen: a.fees,
    nextMonthlyBeforeYen: monthlyFees(history, next, tariffs).fees,
    nextMonthlyAfterYen: monthlyFees(after, next, tariffs).fees,
    etfYen: a.etf - b.etf,
    etfDescription: a.etfText,
  };
}
