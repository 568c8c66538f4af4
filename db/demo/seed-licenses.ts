// Demo licences (docs/rules/licenses.md) for customers C1 and C5, one per channel: an annual
// vendor-store main licence with two add-ons (order number NP…) and a monthly SY order for C1,
// an ISP bundle C1 applied for through the console, and for C5 a monthly carrier-shop licence
// paid with docomo (決済番号), an app-store licence and one sold by a reseller. L-4: C1's main ISP
// services (internet and TV) are all active; C5 also took the ISP security, and its only main
// service, the internet, ended on the last day of last month — recorded through the console's
// own recording, which ended C5's security on that day. Dates are
// relative to "today" and the ISP numbers come from a fixed random sequence, so the same today
// always gives the same data. Written through the import's validation and writer and the ISP
// application itself, so the demo obeys the same rules as real data.
import type { Kysely } from "kysely";
import { validateImportFile } from "../../app/import/import-file";
import { importFile, readExistingKeys } from "../../app/import/import.server";
import { failureFields, failureMessage } from "../../app/lib/result";
import { applyIspSecurity } from "../../app/licenses/isp.server";
import { sameDayMonthsLater, type Charge, type LicenseTerm } from "../../app/licenses/license";
import type { MainServiceInput } from "../../app/licenses/main-services";
import { recordMainService } from "../../app/licenses/main-services.server";
import {
  addDays,
  addMonths,
  jstInstant,
  lastDayOf,
  monthOf,
  type IsoDate,
} from "../../app/lib/jst";
import type { Database } from "../schema";

/** Every charge auto-renewal made from `purchase` up to `today`: the purchase, then a renewal per term. */
function chargesSince(
  purchase: IsoDate,
  term: LicenseTerm,
  priceYen: number,
  today: IsoDate,
): Charge[] {
  const months = term === "annual" ? 12 : 1;
  const charges: Charge[] = [];
  for (let k = 0; ; k++) {
    const date = sameDayMonthsLater(purchase, months * k);
    if (date > today) break;
    charges.push({ date, amountYen: priceYen, type: k === 0 ? "purchase" : "renewal" });
  }
  return charges;
}

/** A fixed pseudo-random sequence (LCG) for the demo's ISP contract number and PIN. */
function demoRandom(seed: number) {
  let state = seed >>> 0;
  return (maxExclusive: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % maxExclusive;
  };
}

export function demoLicenseFile(today: IsoDate) {
  const ago = (months: number, days = 0) => addDays(sameDayMonthsLater(today, -months), -days);
  const base = { region: "JP", kind: "standard", previouslyRefunded: false, serviceUsed: false };
  return {
    licenses: [
      // C1: bought 13 months ago and renewed a month ago, so the renewal is inside its 60-day refund window.
      {
        ...base,
        ref: "LIC-1001",
        customer: "C1",
        product: "マルチデバイスセキュリティ（5台）",
        channel: "vendor_store",
        term: "annual",
        seats: 5,
        priceYen: 8980,
        orderNumber: "NP26104815",
        productKey: "MDS5-7Q2K-PX4D-9WTH",
        mainLicense: null,
        autoRenew: true,
        soldVia: "vendor",
        charges: chargesSince(ago(13), "annual", 8980, today),
      },
      {
        ...base,
        ref: "LIC-1002",
        customer: "C1",
        product: "クラウドバックアップ 50GB 追加",
        channel: "vendor_store",
        term: "annual",
        seats: 5,
        priceYen: 1980,
        orderNumber: "NP26061192",
        productKey: null,
        mainLicense: "LIC-1001",
        autoRenew: true,
        soldVia: "vendor",
        charges: chargesSince(ago(5), "annual", 1980, today),
      },
      {
        ...base,
        ref: "LIC-1003",
        customer: "C1",
        product: "プライバシーモニター アシスタント",
        channel: "vendor_store",
        term: "annual",
        kind: "service",
        seats: 1,
        priceYen: 2980,
        orderNumber: "NP26100933",
        productKey: null,
        mainLicense: "LIC-1001",
        autoRenew: true,
        soldVia: "vendor",
        charges: chargesSince(ago(1, 10), "annual", 2980, today),
      },
      // C1: a monthly licence ordered in the store (SY…) with a separate order e-mail.
      {
        ...base,
        ref: "LIC-1004",
        customer: "C1",
        product: "セキュリティ ベーシック（月額）",
        channel: "vendor_store",
        term: "monthly",
        seats: 1,
        priceYen: 490,
        orderNumber: "SY00481265",
        productKey: "SBM1-4HT8-ZK2R-6NCW",
        mainLicense: null,
        autoRenew: true,
        soldVia: "vendor",
        orderEmail: "tanaka@minato.example",
        charges: chargesSince(ago(3, 4), "monthly", 490, today),
      },
      // C5: sold in a docomo shop by a third-party provider, billed with the phone bill (L-5).
      {
        ...base,
        ref: "LIC-2001",
        customer: "C5",
        product: "モバイルセキュリティ（月額）",
        channel: "carrier_provider",
        term: "monthly",
        seats: 1,
        priceYen: 550,
        orderNumber: null,
        productKey: "MWS7-2KQ9-HX3T-8RVD",
        mainLicense: null,
        autoRenew: true,
        soldVia: "third_party",
        carrier: "docomo",
        carrierPaymentNumber: "D2604-1187-5530",
        provider: "storefront",
        charges: chargesSince(ago(6, 2), "monthly", 550, today),
      },
      {
        ...base,
        ref: "LIC-2002",
        customer: "C5",
        product: "モバイルセキュリティ（年額・Android）",
        channel: "app_store",
        term: "annual",
        seats: 1,
        priceYen: 3980,
        orderNumber: "GPA.3345-1234-5678-90123",
        productKey: null,
        mainLicense: null,
        autoRenew: true,
        soldVia: "third_party",
        charges: chargesSince(ago(8), "annual", 3980, today),
      },
      {
        ...base,
        ref: "LIC-2003",
        customer: "C5",
        product: "ビジネスエンドポイント（10台）",
        channel: "reseller",
        term: "annual",
        seats: 10,
        priceYen: 39800,
        orderNumber: "R2-2026-0457",
        productKey: "BEP10-W3LK-77QM-J2XA",
        mainLicense: null,
        autoRenew: true,
        soldVia: "third_party",
        charges: chargesSince(ago(11), "annual", 39800, today),
      },
    ],
  };
}

/** Adds the demo licences to a database that holds the demo customers C1 and C5. */
export async function seedLicenses(db: Kysely<Database>, today: IsoDate): Promise<void> {
  const validation = validateImportFile(demoLicenseFile(today), await readExistingKeys(db));
  if (!validation.ok) {
    throw new Error(
      `demo licences: ${Object.entries(failureFields(validation))
        .map(([path, message]) => `${path}: ${message}`)
        .join("; ")}`,
    );
  }
  await importFile(db, validation.value, jstInstant(today, "09:00"));

  const c1 = await db
    .selectFrom("customers")
    .select("id")
    .where("ref", "=", "C1")
    .executeTakeFirstOrThrow();
  const applied = await applyIspSecurity(db, {
    input: {
      idempotencyKey: "demo-isp-application-c1",
      customerId: c1.id,
      product: "multi_device_security",
      devices: 3,
    },
    tenant: { kind: "provider" },
    on: sameDayMonthsLater(today, -4),
    actor: { id: null, email: "seed" },
    ip: null,
    random: demoRandom(20261122),
  });
  if (!applied.ok) throw new Error(`demo ISP application (C1): ${failureMessage(applied)}`);

  const c5 = await db
    .selectFrom("customers")
    .select("id")
    .where("ref", "=", "C5")
    .executeTakeFirstOrThrow();
  const appliedC5 = await applyIspSecurity(db, {
    input: {
      idempotencyKey: "demo-isp-application-c5",
      customerId: c5.id,
      product: "multi_device_security",
      devices: 2,
    },
    tenant: { kind: "provider" },
    on: sameDayMonthsLater(today, -8),
    actor: { id: null, email: "seed" },
    ip: null,
    random: demoRandom(20261123),
  });
  if (!appliedC5.ok) throw new Error(`demo ISP application (C5): ${failureMessage(appliedC5)}`);

  // L-4 main ISP services, recorded as an operator would (the recording applies the automatic end).
  const lastMonthEnd = lastDayOf(addMonths(monthOf(today), -1));
  const mainServices: [number, MainServiceInput][] = [
    [
      c1.id,
      {
        serviceRef: "OPT-0665710001",
        kind: "internet",
        name: "光インターネット 1G ビジネス",
        status: "active",
        lastDay: undefined,
      },
    ],
    [
      c1.id,
      {
        serviceRef: "CATV-0665710001",
        kind: "tv",
        name: "ケーブルテレビ ベーシック",
        status: "active",
        lastDay: undefined,
      },
    ],
    [
      c5.id,
      {
        serviceRef: "OPT-0353210005",
        kind: "internet",
        name: "光インターネット 1G ビジネス",
        status: "ended",
        lastDay: lastMonthEnd,
      },
    ],
  ];
  for (const [customerId, input] of mainServices) {
    const recorded = await recordMainService(db, {
      customerId,
      input,
      tenant: { kind: "provider" },
      on: today,
      actor: { id: null, email: "seed" },
      ip: null,
    });
    if (!recorded.ok)
      throw new Error(`demo main ISP service ${input.serviceRef}: ${failureMessage(recorded)}`);
    if (input.status === "ended" && recorded.value.ended.length !== 1)
      throw new Error(`demo main ISP service ${input.serviceRef}: the ISP security did not end`);
  }
}
