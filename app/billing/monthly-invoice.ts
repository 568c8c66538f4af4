// Every line of a contract's invoice for billing month M (T-27-1): monthly fees for M (T-24-1,
// T-27-2, item-line rule, S4), visits done in M (S2, S5, S6), outage credits for M (T-24-2(2)),
// the early-termination fee whose termination date or downgrade date is in M (S4 ※1), late
// interest of invoices finally paid in M (T-26) and manual lines dated in M. Pure: the contract
// history, the tariff versions and the earlier invoices come in as values.
import { failureFields } from "../lib/result";
import {
  addMonths,
  monthOf,
  monthRange,
  parseInstant,
  type IsoDate,
  type YearMonth,
} from "../lib/jst";
import { toYen } from "../lib/money";
import { basePlanLabel, basePlanPriceForMonth, resolvePlanChanges } from "./base-plan";
import { isItemMonthCharged, isMonthCharged, lastChargedMonth } from "./charged-months";
import {
  contractTerminatedBy,
  contractTerminationDate,
  type ContractHistory,
  type PaymentRecord,
  type VisitRecord,
} from "./contract-history";
import { contractYearOf } from "./contract-years";
import {
  ETF_RULE,
  chargesEarlyTerminationFee,
  downgradeFee,
  earlyTerminationFee,
} from "./early-termination";
import {
  LATE_INTEREST_CODE,
  draftInvoice,
  dropZeroLines,
  interestBearingPrincipal,
  type InvoiceDraft,
  type InvoiceLine,
  type InvoiceOptions,
} from "./invoice";
import { lateInterest, type InvoicePayment } from "./late-interest";
import { outageCreditsForMonth, type OutageService } from "./outage-credit";
import {
  findTariffForMonth,
  gatewayDeviceCap,
  gatewayMonthlyPrice,
  isItemCode,
  lookupPrice,
  type TariffVersion,
} from "./tariff";
import {
  isFreeVisit,
  priceVisit,
  visitServicesOn,
  WHOLE_VISIT,
  type FreeVisitCandidate,
} from "./visit-pricing";
import { formatBillingMonth, formatDate } from "../lib/format";

/** An invoice issued before, as the late-interest rule needs it (T-26). */
export interface PriorInvoice {
  billingMonth: YearMonth;
  invoiceNumber?: string | null;
  /** Total including tax. */
  totalYen: number;
  /** Sum of the interest lines still standing on it (they bear no interest): less what credit notes returned of them. */
  interestYen: number;
  dueDate: IsoDate;
  payments: readonly InvoicePayment[];
}

/** A problem in the contract data that stops its invoice, `path` as in the import file. */
export interface BillingProblem {
  path: string;
  message: string;
}

export type MonthlyLinesResult =
  { ok: true; lines: InvoiceLine[] } | { ok: false; problems: BillingProblem[] };

const SERVICE_LABELS: Record<OutageService, string> = {
  base: "基本料金",
  endpoint: "エンドポイントセキュリティ",
  gateway: "ゲートウェイ",
  sandbox: "クラウドサンドボックス",
};

function serviceOfCode(code: string): OutageService | null {
  if (code.startsWith("base.")) return "base";
  if (code === "endpoint") return "endpoint";
  if (code === "sandbox") return "sandbox";
  if (gatewayDeviceCap(code) !== null) return "gateway";
  return null;
}

function gatewayDescription(code: string, quantity: number, repair24h: boolean): string {
  const clients = gatewayDeviceCap(code);
  return `ゲートウェイ（${clients}クライアント向け・24時間故障対応${repair24h ? "付き" : "なし"}） ${quantity}台`;
}

/** Monthly fees of M: the base plan (new plan from the month of a change) and each rented item line. */
function monthlyFeeLines(
  contract: ContractHistory,
  month: YearMonth,
  tariffs: readonly TariffVersion[],
  tariff: TariffVersion,
  termination: IsoDate | null,
  problems: BillingProblem[],
): InvoiceLine[] {
  const lines: InvoiceLine[] = [];
  if (!isMonthCharged(contract.serviceStart, termination, month)) return lines;

  // T-24-1 / T-27-2: the base fee, in full for every charged month.
  const base = basePlanPriceForMonth(contract.basePlan, contract.planChanges ?? [], tariffs, month);
  if (base.priceYen === undefined) {
    problems.push({
      path: "basePlan",
      message: `no price for base plan "${base.plan}" in tariff ${tariff.effectiveFrom} (${month})`,
    });
  } else {
    lines.push({
      code: base.plan,
      rule: "T-24-1",
      tariffVersion: tariff.effectiveFrom,
      description: `基本料金（${basePlanLabel(base.plan)}）${formatBillingMonth(month)}`,
      quantity: 1,
      unitPriceYen: toYen(base.priceYen),
      amountYen: toYen(base.priceYen),
      taxCategory: "taxable_10",
    });
  }

  // Item-line rule (T-24-1 interpretation): each rented line on its own; purchased lines pay nothing (S4 ※2, ※3).
  (contract.items ?? []).forEach((item, i) => {
    if (
      item.ownership !== "rental" ||
      !isItemMonthCharged(item, contract.serviceStart, termination, month)
    )
      return;
    if (!isItemCode(tariff, item.code)) {
      problems.push({
        path: `items[${i}].code`,
        message: `unknown tariff code "${item.code}" in tariff ${tariff.effectiveFrom}`,
      });
      return;
    }
    let unitPriceYen: number;
    let description: string;
    if (item.code === "endpoint") {
      unitPriceYen = lookupPrice(tariff, "endpoint") ?? 0;
      description = `エンドポイントセキュリティ ${item.quantity}台`;
    } else if (item.code === "sandbox") {
      unitPriceYen = lookupPrice(tariff, "sandbox") ?? 0;
      description = "クラウドサンドボックス";
    } else {
      const repair24h = item.repair24h ?? true;
      unitPriceYen = gatewayMonthlyPrice(tariff, item.code, repair24h);
      description = gatewayDescription(item.code, item.quantity, repair24h);
    }
    lines.push({
      code: item.code,
      rule: "T-24-1",
      tariffVersion: tariff.effectiveFrom,
      description,
      quantity: item.quantity,
      unitPriceYen: toYen(unitPriceYen),
      amountYen: toYen(unitPriceYen * item.quantity),
      taxCategory: "taxable_10",
    });
  });
  return lines;
}

function visitOrder(a: VisitRecord, b: VisitRecord): number {
  const ka = `${a.date} ${a.start}`;
  const kb = `${b.date} ${b.start}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Visits done in M (S2, T-24-3, T-27-5), each priced on its own with M's tariff; the free one is
 * decided over the contract year, visits ordered by date then start time (interpretation).
 */
/** A visit of month M priced as the billing run prices it (S2, S5, S6), with whether it was the contract year's free visit. */
export interface PricedContractVisit {
  visit: VisitRecord;
  /** Index of the visit in `contract.visits` (for problem paths). */
  index: number;
  freeVisit: boolean;
  priced: ReturnType<typeof priceVisit>;
}

/**
 * Every visit done in `month`, in date order, priced with the free-visit rule: the free visit is
 * the first of the contract year that qualifies (gateway service on the visit date, a ● or ▲
 * item). Also what the booking page's estimate uses, so the estimate is what will be billed.
 */
export function pricedVisitsOfMonth(
  contract: ContractHistory,
  month: YearMonth,
  tariff: TariffVersion,
  termination: IsoDate | null,
): PricedContractVisit[] {
  // Most contracts have no visit at all: no candidates to build (the billing run asks every month).
  if (!contract.visits?.length) return [];
  const items = contract.items ?? [];
  const indexed = contract.visits.map((visit, index) => ({ visit, index }));
  const ordered = [...indexed].sort((a, b) => visitOrder(a.visit, b.visit));
  const candidates = ordered.map(({ visit }) => ({
    visit,
    ...visitServicesOn(items, visit.date, contract.serviceStart, termination),
  }));
  const result: PricedContractVisit[] = [];
  ordered.forEach(({ visit, index }, k) => {
    if (monthOf(visit.date) !== month) return;
    const year = contractYearOf(contract.serviceStart, monthOf(visit.date));
    const earlier: FreeVisitCandidate[] = candidates
      .slice(0, k)
      .filter((c) => contractYearOf(contract.serviceStart, monthOf(c.visit.date)) === year);
    const candidate = candidates[k];
    const freeVisit = isFreeVisit(candidate, earlier);
    const priced = priceVisit(visit, {
      tariff,
      freeVisit,
      deviceCap: candidate.deviceCap,
      hasEndpointService: candidate.hasEndpointService,
    });
    result.push({ visit, index, freeVisit, priced });
  });
  return result;
}

function visitLines(
  contract: ContractHistory,
  month: YearMonth,
  tariff: TariffVersion,
  termination: IsoDate | null,
  problems: BillingProblem[],
): InvoiceLine[] {
  const lines: InvoiceLine[] = [];
  for (const { visit, index, priced } of pricedVisitsOfMonth(
    contract,
    month,
    tariff,
    termination,
  )) {
    if (!priced.ok) {
      for (const [field, message] of Object.entries(failureFields(priced))) {
        const at = field === WHOLE_VISIT ? `visits[${index}]` : `visits[${index}].${field}`;
        problems.push({ path: at, message: message ?? "" });
      }
      continue;
    }
    for (const line of priced.value.lines) {
      lines.push({
        code: line.code,
        rule: line.rule,
        tariffVersion: tariff.effectiveFrom,
        description: `訪問サポート ${formatDate(visit.date)} ${line.description}`,
        quantity: line.quantity,
        unitPriceYen: line.unitPriceYen,
        amountYen: line.amountYen,
        taxCategory: "taxable_10",
      });
    }
  }
  return lines;
}

/**
 * T-24-2(2): credits of M against the fees charged in M (fee of a service = sum of its charged
 * lines). Interpretation: one line per service, its amount the capped sum of the per-outage
 * credits and its text the total days; quantity 1 and unit price = amount, since per-outage
 * flooring makes the amount no product of days and a unit price.
 */
function outageCreditLines(
  contract: ContractHistory,
  month: YearMonth,
  tariff: TariffVersion,
  feeLines: readonly InvoiceLine[],
  problems: BillingProblem[],
): InvoiceLine[] {
  // Most contracts never had an outage: nothing to check or credit (the billing run asks every month).
  if (!contract.outages?.length) return [];
  const outages = contract.outages.filter((outage, i) => {
    const known = parseInstant(outage.knownAt);
    const restored = outage.restoredAt === null ? null : parseInstant(outage.restoredAt);
    if (!known)
      problems.push({
        path: `outages[${i}].knownAt`,
        message: `not an ISO 8601 instant with offset: "${outage.knownAt}"`,
      });
    if (outage.restoredAt !== null && !restored)
      problems.push({
        path: `outages[${i}].restoredAt`,
        message: `not an ISO 8601 instant with offset: "${outage.restoredAt}"`,
      });
    return known !== null && (outage.restoredAt === null || restored !== null);
  });
  const fees: Partial<Record<OutageService, number>> = {};
  for (const line of feeLines) {
    const service = serviceOfCode(line.code);
    if (service) fees[service] = (fees[service] ?? 0) + line.amountYen;
  }
  return outageCreditsForMonth(outages, month, fees).map((credit) => ({
    code: `credit.outage.${credit.service}`,
    rule: "T-24-2",
    tariffVersion: tariff.effectiveFrom,
    description: `障害による減額（${SERVICE_LABELS[credit.service]} ${credit.days}日分）`,
    quantity: 1,
    unitPriceYen: toYen(-credit.creditYen),
    amountYen: toYen(-credit.creditYen),
    taxCategory: "taxable_10",
  }));
}

/** S4 ※1: the ETF of a termination dated in M (none when the provider ended the service). */
function terminationFeeLines(
  contract: ContractHistory,
  month: YearMonth,
  tariffs: readonly TariffVersion[],
  termination: IsoDate | null,
  problems: BillingProblem[],
): InvoiceLine[] {
  if (termination === null || monthOf(termination) !== month) return [];
  if (!chargesEarlyTerminationFee(contractTerminatedBy(contract))) return [];
  const last = lastChargedMonth(contract.serviceStart, termination);
  const base = basePlanPriceForMonth(contract.basePlan, contract.planChanges ?? [], tariffs, last);
  if (base.priceYen === undefined) {
    problems.push({
      path: "termination",
      message: `no price for base plan "${base.plan}" in ${last}`,
    });
    return [];
  }
  const fee = earlyTerminationFee({
    serviceStart: contract.serviceStart,
    terminationDate: termination,
    basePlanPriceYen: base.priceYen,
    terminatedBy: contractTerminatedBy(contract),
  });
  return [
    {
      code: "etf.termination",
      rule: ETF_RULE,
      tariffVersion: base.tariffVersion,
      description: `解約違約金（残${fee.remainingMonths}か月）`,
      quantity: fee.remainingMonths,
      unitPriceYen: toYen(base.priceYen),
      amountYen: fee.etfYen,
      taxCategory: "non_taxable",
    },
  ];
}

/**
 * S4 ※1: the ETF of a downgrade dated in M — old plan's price × remaining months. The plans are
 * compared in M's tariff; the old plan's price is taken in the month before the change (its last
 * month charged), or in M for a change in the start month. A change in a month the contract is
 * not charged (its termination month or later) makes no line: the termination fee covers it.
 */
function downgradeFeeLines(
  contract: ContractHistory,
  month: YearMonth,
  tariffs: readonly TariffVersion[],
  tariff: TariffVersion,
  termination: IsoDate | null,
  problems: BillingProblem[],
): InvoiceLine[] {
  if (!isMonthCharged(contract.serviceStart, termination, month)) return [];
  const lines: InvoiceLine[] = [];
  for (const change of resolvePlanChanges(contract.basePlan, contract.planChanges ?? [])) {
    if (monthOf(change.date) !== month || (termination !== null && change.date >= termination))
      continue;
    const newPrice = lookupPrice(tariff, change.toPlan);
    const oldPriceNow = lookupPrice(tariff, change.fromPlan);
    if (newPrice === undefined || oldPriceNow === undefined) {
      problems.push({
        path: "planChanges",
        message: `no price for "${newPrice === undefined ? change.toPlan : change.fromPlan}" in tariff ${tariff.effectiveFrom}`,
      });
      continue;
    }
    if (newPrice >= oldPriceNow) continue; // upgrades and same-price changes cost nothing
    const priceMonth = month === monthOf(contract.serviceStart) ? month : addMonths(month, -1);
    const priceVersion = findTariffForMonth(tariffs, priceMonth) ?? tariff;
    const oldPlanPriceYen = lookupPrice(priceVersion, change.fromPlan) ?? oldPriceNow;
    const fee = downgradeFee({
      serviceStart: contract.serviceStart,
      changeDate: change.date,
      oldPlanPriceYen,
    });
    lines.push({
      code: "etf.downgrade",
      rule: ETF_RULE,
      tariffVersion: priceVersion.effectiveFrom,
      description: `プラン変更違約金（${basePlanLabel(change.fromPlan)}→${basePlanLabel(change.toPlan)}、残${fee.remainingMonths}か月）`,
      quantity: fee.remainingMonths,
      unitPriceYen: toYen(oldPlanPriceYen),
      amountYen: fee.etfYen,
      taxCategory: "non_taxable",
    });
  }
  return lines;
}

/**
 * T-26: interest of each earlier invoice whose principal was finally paid in M, named by the
 * invoice number, or by its billing month when the caller has none (interpretation).
 */
function lateInterestLines(
  month: YearMonth,
  priorInvoices: readonly PriorInvoice[],
): InvoiceLine[] {
  const lines: InvoiceLine[] = [];
  for (const invoice of priorInvoices) {
    const result = lateInterest(
      { principalYen: invoice.totalYen - invoice.interestYen, dueDate: invoice.dueDate },
      invoice.payments,
    );
    if (result.billingMonth !== month || result.interestYen === 0) continue;
    lines.push({
      code: LATE_INTEREST_CODE,
      rule: "T-26",
      tariffVersion: null,
      description: `延滞利息（請求書 ${invoice.invoiceNumber ?? formatBillingMonth(invoice.billingMonth)}）`,
      quantity: 1,
      unitPriceYen: result.interestYen,
      amountYen: result.interestYen,
      taxCategory: "non_taxable",
    });
  }
  return lines;
}

/** Manual lines dated in M, as finance entered them: quantity 1, unit price = signed amount (interpretation). */
function manualLines(contract: ContractHistory, month: YearMonth): InvoiceLine[] {
  return (contract.manualLines ?? [])
    .filter((line) => monthOf(line.date) === month)
    .map((line) => ({
      code: line.code ?? "manual",
      rule: line.rule ?? "manual",
      tariffVersion: null,
      description: line.description,
      quantity: 1,
      unitPriceYen: toYen(line.amountYen),
      amountYen: toYen(line.amountYen),
      taxCategory: line.taxable ? "taxable_10" : "non_taxable",
    }));
}

/**
 * Every non-zero line of `contract`'s invoice for `month` (T-27-1), in this order: monthly fees,
 * visits, outage credits, ETF (termination, downgrade), late interest, manual lines.
 * `tariffs` is the full version list (`tariffVersions(updates)`); `priorInvoices` the contract's
 * earlier invoices with their payments (for T-26).
 */
export function buildMonthlyInvoiceLines(
  contract: ContractHistory,
  month: YearMonth,
  tariffs: readonly TariffVersion[],
  priorInvoices: readonly PriorInvoice[] = [],
): MonthlyLinesResult {
  const tariff = findTariffForMonth(tariffs, month);
  if (!tariff)
    return {
      ok: false,
      problems: [{ path: "month", message: `no tariff version is in force in ${month}` }],
    };
  const termination = contractTerminationDate(contract);
  const problems: BillingProblem[] = [];
  const fees = monthlyFeeLines(contract, month, tariffs, tariff, termination, problems);
  const lines = [
    ...fees,
    ...visitLines(contract, month, tariff, termination, problems),
    ...outageCreditLines(contract, month, tariff, fees, problems),
    ...terminationFeeLines(contract, month, tariffs, termination, problems),
    ...downgradeFeeLines(contract, month, tariffs, tariff, termination, problems),
    ...lateInterestLines(month, priorInvoices),
    ...manualLines(contract, month),
  ];
  return problems.length > 0 ? { ok: false, problems } : { ok: true, lines: dropZeroLines(lines) };
}

/** The invoice of `month` (null when it has no line, T-27-1). */
export function buildMonthlyInvoice(
  contract: ContractHistory,
  month: YearMonth,
  tariffs: readonly TariffVersion[],
  priorInvoices: readonly PriorInvoice[] = [],
  options: InvoiceOptions = {},
): { ok: true; invoice: InvoiceDraft | null } | { ok: false; problems: BillingProblem[] } {
  const result = buildMonthlyInvoiceLines(contract, month, tariffs, priorInvoices);
  return result.ok ? { ok: true, invoice: draftInvoice(month, result.lines, options) } : result;
}

/** An issued invoice with its payments, ready for the late-interest rule of later months. */
export function priorInvoiceOf(
  invoice: InvoiceDraft,
  payments: readonly InvoicePayment[],
  invoiceNumber: string | null = null,
): PriorInvoice {
  return {
    billingMonth: invoice.billingMonth,
    invoiceNumber,
    totalYen: invoice.totals.totalYen,
    interestYen: invoice.totals.totalYen - interestBearingPrincipal(invoice),
    dueDate: invoice.dueDate,
    payments,
  };
}

/** The contract's payments of one billing month's invoice (`payments[]` of the import file). */
export function paymentsFor(
  payments: readonly PaymentRecord[],
  billingMonth: YearMonth,
): InvoicePayment[] {
  return payments
    .filter((p) => p.billingMonth === billingMonth)
    .map((p) => ({ paidOn: p.paidOn, amountYen: p.amountYen }));
}

/**
 * The invoices of every month from `from` to `to`, each month seeing the earlier ones with the
 * contract's own `payments[]` (so the late interest of T-26 lands in the month of payment).
 * For the import of history and for tests; the billing run issues one month at a time.
 */
export function buildInvoiceSeries(
  contract: ContractHistory,
  from: YearMonth,
  to: YearMonth,
  tariffs: readonly TariffVersion[],
  options: InvoiceOptions = {},
):
  | { ok: true; invoices: InvoiceDraft[] }
  | { ok: false; month: YearMonth; problems: BillingProblem[] } {
  const invoices: InvoiceDraft[] = [];
  const prior: PriorInvoice[] = [];
  for (const month of monthRange(from, to)) {
    const result = buildMonthlyInvoice(contract, month, tariffs, prior, options);
    if (!result.ok) return { ok: false, month, problems: result.problems };
    if (result.invoice) {
      invoices.push(result.invoice);
      prior.push(priorInvoiceOf(result.invoice, paymentsFor(contract.payments ?? [], month)));
    }
  }
  return { ok: true, invoices };
}
