// The price estimate of a visit booking (S2, S5, S6) from the same pricing the billing run uses:
// the booked visit is priced among the contract's recorded and booked visits, so the free visit
// of the contract year is decided exactly as it will be when billed. Pure.
import {
  contractTerminationDate,
  type ContractHistory,
  type VisitRecord,
} from "../billing/contract-history";
import { pricedVisitsOfMonth } from "../billing/monthly-invoice";
import { findTariffForMonth, type TariffVersion } from "../billing/tariff";
import { consumptionTax10 } from "../billing/tax";
import type { VisitLineInput } from "../billing/visit-pricing";
import { monthOf } from "../lib/jst";
import type { Yen } from "../lib/money";
import { failureFields, invalidField, ok, type Result } from "../lib/result";
import { sumYen } from "../lib/yen";

export interface VisitEstimateLine {
  description: string;
  quantity: number;
  unitPriceYen: Yen;
  amountYen: Yen;
  free: boolean;
}

export interface VisitQuote {
  lines: VisitEstimateLine[];
  totalYen: Yen;
  taxYen: Yen;
  freeVisit: boolean;
  freeVisitAvailable: boolean;
}

/** The quote, or why the visit does not price (a validation failure of its lines). */
export type VisitEstimate = Result<VisitQuote>;

function priceAmong(
  contract: ContractHistory,
  visit: VisitRecord,
  tariffs: readonly TariffVersion[],
) {
  const tariff = findTariffForMonth(tariffs, monthOf(visit.date));
  if (!tariff) return null;
  const withBooking = { ...contract, visits: [...(contract.visits ?? []), visit] };
  const index = withBooking.visits.length - 1;
  return (
    pricedVisitsOfMonth(
      withBooking,
      monthOf(visit.date),
      tariff,
      contractTerminationDate(contract),
    ).find((p) => p.index === index) ?? null
  );
}

/** `contract.visits` holds the recorded visits and the other bookings not yet done. */
export function estimateVisit(
  contract: ContractHistory,
  tariffs: readonly TariffVersion[],
  visit: VisitRecord,
): VisitEstimate {
  const priced = priceAmong(contract, visit, tariffs);
  if (!priced) return invalidField("lines", "この日付の料金表がありません");
  if (!priced.priced.ok)
    return invalidField("lines", Object.values(failureFields(priced.priced)).join("、"));
  // Would a visit with a ● item on that date still be the free one? (Whether the year's free visit is left.)
  const probe: VisitLineInput[] = [{ code: "visit.base", quantity: 1 }];
  const available = priceAmong(contract, { ...visit, lines: probe }, tariffs)?.freeVisit ?? false;
  const lines = priced.priced.value.lines.map((l) => ({
    description: l.description,
    quantity: l.quantity,
    unitPriceYen: l.unitPriceYen,
    amountYen: l.amountYen,
    free: l.freeReason !== null,
  }));
  const totalYen = sumYen(lines.map((l) => l.amountYen));
  return ok({
    lines,
    totalYen,
    taxYen: consumptionTax10(totalYen),
    freeVisit: priced.freeVisit,
    freeVisitAvailable: available,
  });
}
