// Which base plan a month is charged for (T-24-1 with S4 ※1 plan changes: "the new plan is
// charged from the month of the change") and the sequence of changes with the plan each replaced.
import { monthOf, type IsoDate, type YearMonth } from "../lib/jst";
import { findTariffForMonth, lookupPrice, type TariffVersion } from "./tariff";

export interface PlanChangeInput {
  date: IsoDate;
  basePlan: string;
}

export interface ResolvedPlanChange {
  date: IsoDate;
  fromPlan: string;
  toPlan: string;
}

function sortedChanges(planChanges: readonly PlanChangeInput[]): PlanChangeInput[] {
  // Stable: two changes on the same day keep their listed order.
  return [...planChanges].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/**
 * The plan charged in `month`: the latest change dated in that month or before, else the initial
 * plan. Several changes in one month: the last one is the plan of that month.
 */
export function basePlanForMonth(
  basePlan: string,
  planChanges: readonly PlanChangeInput[],
  month: YearMonth,
): string {
  let plan = basePlan;
  for (const change of sortedChanges(planChanges)) {
    if (monthOf(change.date) <= month) plan = change.basePlan;
  }
  return plan;
}

/** The changes in date order, each with the plan it replaced; changes to the same plan are dropped. */
export function resolvePlanChanges(
  basePlan: string,
  planChanges: readonly PlanChangeInput[],
): ResolvedPlanChange[] {
  const resolved: ResolvedPlanChange[] = [];
  let current = basePlan;
  for (const change of sortedChanges(planChanges)) {
    if (change.basePlan !== current)
      resolved.push({ date: change.date, fromPlan: current, toPlan: change.basePlan });
    current = change.basePlan;
  }
  return resolved;
}

/**
 * The plan charged in `month` and its price in the tariff in force on the month's first day
 * (T-2, T-24-1); `priceYen` undefined when that version has no price for the plan.
 */
export function basePlanPriceForMonth(
  basePlan: string,
  planChanges: readonly PlanChangeInput[],
  tariffs: readonly TariffVersion[],
  month: YearMonth,
): { plan: string; priceYen: number | undefined; tariffVersion: IsoDate | null } {
  const plan = basePlanForMonth(basePlan, planChanges, month);
  const version = findTariffForMonth(tariffs, month);
  if (!version || !plan.startsWith("base."))
    return { plan, priceYen: undefined, tariffVersion: version?.effectiveFrom ?? null };
  return { plan, priceYen: lookupPrice(version, plan), tariffVersion: version.effectiveFrom };
}

/** Japanese name of a base plan: `base.standard` is plan ① (S4); other plans by their code. */
export function basePlanLabel(plan: string): string {
  return plan === "base.standard" ? "プラン①" : plan.slice("base.".length);
}
