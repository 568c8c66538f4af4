// The `licenses` section of the import file (docs/rules/import-format.md "Licenses", docs/rules/licenses.md L-1): each
// licence with its charges in order, the channel's own numbers, and add-ons whose main licence
// exists, belongs to the same customer and forms no cycle.
import { TEXT_LIMITS } from "../lib/fields";
import type { IsoDate } from "../lib/jst";
import { CARRIER_PROVIDERS } from "../licenses/carrier";
import {
  CHANNELS,
  REGIONS,
  type Carrier,
  type Charge,
  type ChargeType,
  type LicenseKind,
  type LicenseTerm,
  type SoldVia,
} from "../licenses/license";
import {
  EMAIL_RE,
  Fields,
  isAbsent,
  mapObjects,
  shown,
  sortedBy,
  whenRead,
  type RefIndex,
} from "./fields";
import type { ExistingKeys, ImportLicense, ImportProblem } from "./import-file";

const LICENSE_FIELDS = [
  "ref",
  "customer",
  "product",
  "channel",
  "term",
  "kind",
  "region",
  "seats",
  "priceYen",
  "orderNumber",
  "productKey",
  "mainLicense",
  "autoRenew",
  "soldVia",
  "previouslyRefunded",
  "serviceUsed",
  "charges",
  // Optional, for the L-4 … L-6 lookups: what a reseller's spreadsheet knows about the channel.
  "contractNumber",
  "carrier",
  "carrierPaymentNumber",
  "provider",
  "orderEmail",
] as const;
const CHARGE_FIELDS = ["date", "amountYen", "type"] as const;
const TERMS: readonly LicenseTerm[] = ["annual", "monthly"];
const KINDS: readonly LicenseKind[] = ["standard", "service", "trial"];
const SOLD_VIA: readonly SoldVia[] = ["vendor", "third_party", "bundled", "nfr"];
const CHARGE_TYPES: readonly ChargeType[] = ["purchase", "renewal", "trial_conversion"];
const CARRIERS: readonly Carrier[] = ["docomo", "au", "softbank"];

/** The charges of one licence: each well formed, then their order (L-1: a purchase or trial conversion first, renewals after). */
function readCharges(
  problems: ImportProblem[],
  f: Fields,
  kind: LicenseKind | undefined,
): Charge[] {
  const read = mapObjects(problems, f.list("charges"), f.at("charges"), (o, path) => {
    const c = new Fields(problems, o, path, CHARGE_FIELDS);
    const charge = whenRead<Charge>({
      date: c.date("date"),
      amountYen: c.count("amountYen", 0),
      type: c.oneOf("type", CHARGE_TYPES),
    });
    return charge && { path, charge };
  });
  const dated = sortedBy(read, (r) => r.charge.date);
  const seen = new Map<IsoDate, string>();
  dated.forEach(({ path, charge }, position) => {
    const other = seen.get(charge.date);
    if (other !== undefined)
      problems.push({
        path: `${path}.date`,
        message: `${charge.date} is also the date of ${other}: a licence is charged once a day`,
      });
    seen.set(charge.date, path);
    if (kind === undefined) return;
    const first: ChargeType = kind === "trial" ? "trial_conversion" : "purchase";
    if (position === 0 && charge.type !== first) {
      problems.push({
        path: `${path}.type`,
        message: `the first charge of a ${kind} licence must be "${first}", got "${charge.type}"`,
      });
    } else if (position > 0 && charge.type !== "renewal") {
      problems.push({
        path: `${path}.type`,
        message: `only the first charge is a "${first}"; a later one must be "renewal", got "${charge.type}"`,
      });
    }
  });
  if (kind !== undefined && kind !== "trial" && isAbsent(f.o.charges)) {
    f.problem(
      "charges",
      'required: at least the purchase ({ "date", "amountYen", "type": "purchase" })',
    );
  } else if (
    kind !== undefined &&
    kind !== "trial" &&
    Array.isArray(f.o.charges) &&
    f.o.charges.length === 0
  ) {
    f.problem(
      "charges",
      'must list at least the purchase ({ "date", "amountYen", "type": "purchase" })',
    );
  }
  return dated.map(({ charge }) => charge);
}

export function readLicenses(
  problems: ImportProblem[],
  root: Fields,
  refs: RefIndex,
  customers: RefIndex,
  existing: ExistingKeys,
): ImportLicense[] {
  const mains: {
    path: string;
    ref: string | undefined;
    customer: string | undefined;
    main: string;
  }[] = [];
  // Every licence's ref and customer as far as they were read, complete or not, so an add-on of
  // a licence with another problem is not also reported as naming an unknown main licence.
  const customerOf = new Map(existing.licenseRefs);
  const mainOf = new Map<string, string>();
  const licenses = mapObjects(problems, root.list("licenses"), "licenses", (o, path) => {
    const f = new Fields(problems, o, path, LICENSE_FIELDS);
    const ref = f.text("ref");
    if (ref !== undefined) refs.add(ref, f.at("ref"));
    const customer = f.text("customer");
    if (customer !== undefined && !customers.has(customer))
      f.problem("customer", `unknown customer "${customer}"`);
    const product = f.text("product");
    const channel = f.oneOf("channel", CHANNELS);
    const term = f.oneOf("term", TERMS);
    const kind = f.oneOf("kind", KINDS);
    const region = f.oneOf("region", REGIONS);
    const seats = f.count("seats", 1);
    const priceYen = f.count("priceYen", 0);
    const orderNumber = f.optionalText("orderNumber");
    const productKey = f.optionalText("productKey");
    const mainLicense = f.optionalText("mainLicense");
    const autoRenew = f.bool("autoRenew");
    const soldVia = f.oneOf("soldVia", SOLD_VIA);
    const previouslyRefunded = f.optionalBool("previouslyRefunded", false);
    const serviceUsed = f.optionalBool("serviceUsed", false);
    const charges = readCharges(problems, f, kind);

    // The channel's own numbers belong to that channel only (L-4 ISP, L-5 carrier shops).
    const contractNumber = f.optionalText("contractNumber");
    if (typeof contractNumber === "string" && channel !== undefined && channel !== "isp")
      f.problem("contractNumber", "belongs to isp licences only");
    const carrier = isAbsent(o.carrier) ? null : f.oneOf("carrier", CARRIERS);
    const carrierPaymentNumber = f.optionalText("carrierPaymentNumber");
    const provider = isAbsent(o.provider)
      ? null
      : f.oneOf(
          "provider",
          CARRIER_PROVIDERS.map((p) => p.id),
        );
    for (const [key, value] of [
      ["carrier", carrier],
      ["carrierPaymentNumber", carrierPaymentNumber],
      ["provider", provider],
    ] as const) {
      if (typeof value === "string" && channel !== undefined && channel !== "carrier_provider")
        f.problem(key, "belongs to carrier_provider licences only");
    }
    const orderEmail = f.optionalText("orderEmail", undefined, TEXT_LIMITS.email);
    if (typeof orderEmail === "string" && !EMAIL_RE.test(orderEmail))
      f.problem("orderEmail", `not an e-mail address: ${shown(orderEmail)}`);

    if (typeof mainLicense === "string")
      mains.push({ path: f.at("mainLicense"), ref, customer, main: mainLicense });
    if (ref !== undefined && customer !== undefined) customerOf.set(ref, customer);
    if (ref !== undefined && typeof mainLicense === "string") mainOf.set(ref, mainLicense);
    return whenRead<ImportLicense>({
      ref,
      customer,
      product,
      channel,
      term,
      kind,
      region,
      seats,
      priceYen,
      orderNumber: orderNumber ?? null,
      productKey: productKey ?? null,
      mainLicense: mainLicense ?? null,
      autoRenew,
      soldVia,
      previouslyRefunded,
      serviceUsed,
      charges,
      renewalState: autoRenew ? "active" : "stopped",
      contractNumber: contractNumber ?? null,
      carrier: carrier ?? null,
      carrierPaymentNumber: carrierPaymentNumber ?? null,
      provider: provider ?? null,
      orderEmail: orderEmail ?? null,
    });
  });

  // Add-ons (L-1): the main licence exists (file or database), is another licence of the same
  // customer, and following mains never comes back to where it started.
  for (const { path, ref, customer, main } of mains) {
    if (main === ref) {
      problems.push({ path, message: "a licence cannot be its own main licence" });
      continue;
    }
    const mainCustomer = customerOf.get(main);
    if (mainCustomer === undefined) {
      problems.push({ path, message: `unknown main license "${main}"` });
      continue;
    }
    if (customer !== undefined && mainCustomer !== customer) {
      problems.push({
        path,
        message: `main license "${main}" belongs to customer "${mainCustomer}", not "${customer}"`,
      });
      continue;
    }
    const chain = ref === undefined ? [main] : [ref, main];
    let next = mainOf.get(main);
    while (next !== undefined && !chain.includes(next)) {
      chain.push(next);
      next = mainOf.get(next);
    }
    if (next !== undefined && ref !== undefined && next === ref) {
      problems.push({
        path,
        message: `main licences form a cycle: ${[...chain, next].join(" → ")}`,
      });
    }
  }
  return licenses;
}
