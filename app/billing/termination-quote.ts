// What terminating a contract would cost (the cancellation quote; CLI `contracts
// quote-termination`): T-20 termination date, B and remaining months, the ETF of S4 note ※1
// (base-plan price of the last charged month × remaining), and the nearest fee-free date.
import type { IsoDate } from "../lib/jst";
import { basePlanPriceForMonth } from "./base-plan";
import { lastChargedMonth } from "./charged-months";
import { contractTerminatedBy, type ContractHistory } from "./contract-history";
import { feeFreeDate } from "./contract-years";
import { earlyTerminationFee, terminationDate, type TerminatedBy } from "./early-termination";
import { UnknownPriceError, type TariffVersion } from "./tariff";

/** The CLI's JSON: `{"terminationDate","chargedMonths","remainingMonths","etfYen","feeFreeDate"}`. */
export interface TerminationQuote {
  terminationDate: IsoDate;
  chargedMonths: number;
  remainingMonths: number;
  etfYen: number;
  feeFreeDate: IsoDate;
}

/**
 * Quote for terminating `contract` on `wished`, the provider confirming on `confirmedOn` (pass
 * today when not yet confirmed). Throws UnknownPriceError when the tariff has no price for the
 * plan of the last charged month (invalid data, refused at import).
 */
export function quoteTermination(
  contract: ContractHistory,
  tariffs: readonly TariffVersion[],
  wished: IsoDate,
  confirmedOn: IsoDate,
  terminatedBy: TerminatedBy = contractTerminatedBy(contract),
): TerminationQuote {
  const date = terminationDate(wished, confirmedOn);
  const month = lastChargedMonth(contract.serviceStart, date);
  const { plan, priceYen, tariffVersion } = basePlanPriceForMonth(
    contract.basePlan,
    contract.planChanges ?? [],
    tariffs,
    month,
  );
  if (priceYen === undefined) throw new UnknownPriceError(plan, tariffVersion ?? "(none)");
  const fee = earlyTerminationFee({
    serviceStart: contract.serviceStart,
    terminationDate: date,
    basePlanPriceYen: priceYen,
    terminatedBy,
  });
  return {
    terminationDate: date,
    chargedMonths: fee.chargedMonths,
    remainingMonths: fee.remainingMonths,
    etfYen: fee.etfYen,
    feeFreeDate: feeFreeDate(contract.serviceStart, wished),
  };
}
