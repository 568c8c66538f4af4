// The monthly price an application will cost (issue 17 item 11), shown on the form before it is
// submitted: the base plan, rented endpoint seats and a rented gateway (S4, docs/rules/tariff.md),
// priced from the tariff version in force (T-2); bought seats and gateways carry no monthly fee.
// Tax-exclusive prices plus 10 % consumption tax, fractions dropped (T-31, T-28). Pure: the browser
// recomputes it as the form is filled in.
import { consumptionTax10 } from "../billing/tax";
import { gatewayMonthlyPrice, priceOf, type TariffVersion } from "../billing/tariff";
import { toYen, type Yen } from "../lib/money";
import { sumYen } from "../lib/yen";

export interface ApplicationPriceInput {
  endpointSeats: number;
  endpointOwnership: "rental" | "purchased";
  gatewayModel: string; // "" = none
  gatewayOwnership: "rental" | "purchased";
  gatewayRepair24h: boolean;
}

export interface ApplicationPriceLine {
  code: string;
  quantity: number;
  unitPriceYen: Yen;
  amountYen: Yen;
}

export interface ApplicationPrice {
  lines: ApplicationPriceLine[];
  subtotalYen: Yen;
  taxYen: Yen;
  totalYen: Yen;
}

const BASE_PLAN = "base.standard";

export function applicationMonthlyPrice(
  tariff: TariffVersion,
  input: ApplicationPriceInput,
): ApplicationPrice {
  const lines: ApplicationPriceLine[] = [];
  const add = (code: string, quantity: number, unitPriceYen: number) =>
    lines.push({
      code,
      quantity,
      unitPriceYen: toYen(unitPriceYen),
      amountYen: toYen(quantity * unitPriceYen),
    });
  add(BASE_PLAN, 1, priceOf(tariff, BASE_PLAN));
  if (input.endpointOwnership === "rental" && input.endpointSeats > 0)
    add("endpoint", input.endpointSeats, priceOf(tariff, "endpoint"));
  if (input.gatewayModel !== "" && input.gatewayOwnership === "rental")
    add(
      input.gatewayModel,
      1,
      gatewayMonthlyPrice(tariff, input.gatewayModel, input.gatewayRepair24h),
    );
  const subtotalYen = sumYen(lines.map((l) => l.amountYen));
  const taxYen = consumptionTax10(subtotalYen);
  return { lines, subtotalYen, taxYen, totalYen: sumYen([subtotalYen, taxYen]) };
}

/** The form's raw values as the price needs them; a seat count that is not yet a number counts 0. */
export function priceInputOfForm(
  values: Record<string, string | undefined>,
): ApplicationPriceInput {
  const seats = Number((values.endpointSeats ?? "").normalize("NFKC"));
  return {
    endpointSeats: Number.isInteger(seats) && seats >= 0 && seats <= 1000 ? seats : 0,
    endpointOwnership: values.endpointOwnership === "purchased" ? "purchased" : "rental",
    gatewayModel: values.gatewayModel ?? "",
    gatewayOwnership: values.gatewayOwnership === "purchased" ? "purchased" : "rental",
    gatewayRepair24h: values.gatewayRepair24h === "on",
  };
}
