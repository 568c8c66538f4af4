// The import file's refusals (docs/rules/import-format.md "Rules for the file"): each asserts the exact
// path and message, and that every problem of a file is listed, not only the first.
import { describe, expect, it } from "vitest";
import { NO_EXISTING_KEYS, validateImportFile, type ExistingKeys } from "./import-file";
import { isoDate } from "../lib/jst";

type Json = Record<string, any>;

/** A small valid file: one reseller, one customer, one west contract with a gateway and seats. */
function validFile(): Json {
  return {
    resellers: [{ ref: "R1", name: "西日本OAサービス株式会社" }],
    customers: [
      {
        ref: "C1",
        name: "株式会社みなと製作所",
        email: "it@minato.example",
        phone: "06-6571-0001",
        address: "大阪府大阪市港区築港2-1-10",
        reseller: "R1",
      },
    ],
    contracts: [
      {
        ref: "K1",
        customer: "C1",
        lineId: "COP1830017",
        area: "west",
        basePlan: "base.standard",
        serviceStart: "2024-04-10",
        items: [
          { code: "endpoint", quantity: 10, ownership: "rental", from: "2024-04-10" },
          { code: "gateway.gw50", quantity: 1, ownership: "rental", from: "2024-04-10" },
        ],
      },
    ],
  };
}

/** `path: message` of every problem, or [] when the file is accepted. */
function problemsOf(file: unknown, existing: ExistingKeys = NO_EXISTING_KEYS): string[] {
  const result = validateImportFile(file, existing);
  return result.ok
    ? []
    : Object.entries(result.fields ?? {}).map(([path, message]) => `${path}: ${message}`);
}

/** The valid file with one contract's field changed. */
function withContract(patch: Json): Json {
  const file = validFile();
  Object.assign(file.contracts[0], patch);
  return file;
}

function withItem(patch: Json, index = 0): Json {
  const file = validFile();
  Object.assign(file.contracts[0].items[index], patch);
  return file;
}

const visit = (patch: Json = {}): Json => ({
  date: "2024-07-05",
  start: "10:00",
  withLineApplication: false,
  backupAvailable: true,
  lines: [{ code: "visit.base" }],
  ...patch,
});

function existing(patch: Partial<ExistingKeys>): ExistingKeys {
  return { ...NO_EXISTING_KEYS, ...patch };
}

describe("a valid file", () => {
  it("is accepted and normalized to the shape the billing run reads back", () => {
    const file = withContract({
      outages: [
        {
          services: ["gateway"],
          knownAt: "2024-06-01T10:00:00+09:00",
          restoredAt: "2024-06-03T12:00:00+09:00",
          customerFault: false,
        },
      ],
      visits: [
        visit({ date: "2024-07-12" }),
        visit({ lines: [{ code: "visit.data_migration", pcs: [{ gb: 30 }, { gb: 3 }] }] }),
      ],
      payments: [
        { billingMonth: "2024-06", paidOn: "2024-08-01", amountYen: 10000 },
        { billingMonth: "2024-05", paidOn: "2024-07-20", amountYen: null },
      ],
    });
    const result = validateImportFile(file, NO_EXISTING_KEYS);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.resellers).toEqual([{ ref: "R1", name: "西日本OAサービス株式会社" }]);
    expect(result.value.customers[0].reseller).toBe("R1");
    const k = result.value.contracts[0];
    // repair24h defaults to true for gateways, false for everything else; `to` absent = null.
    expect(k.items).toEqual([
      {
        code: "endpoint",
        quantity: 10,
        ownership: "rental",
        repair24h: false,
        from: "2024-04-10",
        to: null,
      },
      {
        code: "gateway.gw50",
        quantity: 1,
        ownership: "rental",
        repair24h: true,
        from: "2024-04-10",
        to: null,
      },
    ]);
    // Instants are stored in UTC (db/schema.ts).
    expect(k.outages).toEqual([
      {
        services: ["gateway"],
        knownAt: "2024-06-01T01:00:00.000Z",
        restoredAt: "2024-06-03T03:00:00.000Z",
        customerFault: false,
      },
    ]);
    // Visits and payments in the order the database returns them.
    expect(k.visits.map((v) => v.date)).toEqual(["2024-07-05", "2024-07-12"]);
    expect(k.visits[0].lines).toEqual([
      {
        code: "visit.data_migration",
        quantity: null,
        endpointReinstall: null,
        pcs: [{ gb: 30 }, { gb: 3 }],
      },
    ]);
    expect(k.payments.map((p) => p.paidOn)).toEqual(["2024-07-20", "2024-08-01"]);
    expect(k.termination).toBeNull();
    expect(k.terminatedBy).toBe("customer");
    expect(k.planChanges).toEqual([]);
    expect(k.manualLines).toEqual([]);
  });

  it("accepts an empty file: every section is optional", () => {
    expect(problemsOf({})).toEqual([]);
  });

  it("accepts refs that are already in the database", () => {
    const file = { contracts: [{ ...validFile().contracts[0], customer: "C-DB" }] };
    expect(problemsOf(file, existing({ customerRefs: new Set(["C-DB"]) }))).toEqual([]);
    const customer = { customers: [{ ...validFile().customers[0], reseller: "R-DB" }] };
    expect(problemsOf(customer, existing({ resellerRefs: new Set(["R-DB"]) }))).toEqual([]);
  });
});

describe("unknown codes", () => {
  it("refuses an item code no tariff knows", () => {
    expect(problemsOf(withItem({ code: "gateway.gw20" }, 1))).toEqual([
      'contracts[0].items[1].code: unknown tariff code "gateway.gw20"',
    ]);
  });

  it("refuses a known code of another kind as an item, a base plan or a visit line", () => {
    const file = withContract({
      basePlan: "endpoint",
      visits: [visit({ lines: [{ code: "base.standard" }] })],
    });
    file.contracts[0].items[0].code = "visit.base";
    expect(problemsOf(file)).toEqual([
      'contracts[0].basePlan: "endpoint" is not a base plan (base.…)',
      'contracts[0].items[0].code: "visit.base" is not an item code (endpoint, sandbox or a gateway model gateway.gwN)',
      'contracts[0].visits[0].lines[0].code: "base.standard" is not a visit menu code (visit.…)',
    ]);
  });

  it("refuses a base plan and a plan change to a plan no tariff defines", () => {
    const file = withContract({
      basePlan: "base.premium",
      planChanges: [{ date: "2024-10-05", basePlan: "base.lite" }],
    });
    expect(problemsOf(file)).toEqual([
      'contracts[0].basePlan: unknown tariff code "base.premium"',
      'contracts[0].planChanges[0].basePlan: unknown tariff code "base.lite"',
    ]);
  });

  it("accepts a plan the file's own tariff adds, from the month that version is in force", () => {
    const file = withContract({ planChanges: [{ date: "2024-10-05", basePlan: "base.lite" }] });
    file.tariffs = [{ effectiveFrom: "2024-10-01", prices: { "base.lite": 2000 } }];
    expect(problemsOf(file)).toEqual([]);
  });

  it("refuses a plan change dated before the version that prices the plan (T-2)", () => {
    const file = withContract({ planChanges: [{ date: "2024-10-05", basePlan: "base.lite" }] });
    file.tariffs = [
      { effectiveFrom: "2025-04-01", prices: { "base.standard": 3300, "base.lite": 2000 } },
    ];
    expect(problemsOf(file)).toEqual([
      'contracts[0].planChanges[0].basePlan: tariff code "base.lite" has no price in 2024-10 (tariff 2024-04-01); it is priced from 2025-04-01',
    ]);
  });

  it("needs no price for a plan change or an item dated in or after the termination month, never billed (T-27-2(2), decision 0012)", () => {
    // The docs/rules/import-format.md example: terminated 2024-09-30, a change to base.lite on 2024-10-05 that base.lite's 2025-04-01 price never bills.
    const file = withContract({
      planChanges: [{ date: "2024-10-05", basePlan: "base.lite" }],
      termination: {
        requestedOn: "2024-09-15",
        wishedDate: "2024-09-30",
        confirmedOn: "2024-09-17",
      },
    });
    file.contracts[0].items.push({
      code: "gateway.gw20",
      quantity: 1,
      ownership: "rental",
      from: "2024-09-20",
    });
    file.tariffs = [
      {
        effectiveFrom: "2025-04-01",
        prices: { "base.standard": 3300, "base.lite": 2000, "gateway.gw20": 10000 },
      },
    ];
    expect(problemsOf(file)).toEqual([]);
    // Unknown codes are still refused there; a termination not yet confirmed bills on, so the price is needed.
    file.contracts[0].planChanges = [{ date: "2024-10-05", basePlan: "base.premium" }];
    expect(problemsOf(file)).toEqual([
      'contracts[0].planChanges[0].basePlan: unknown tariff code "base.premium"',
    ]);
    file.contracts[0].planChanges = [{ date: "2024-10-05", basePlan: "base.lite" }];
    file.contracts[0].termination = { requestedOn: "2024-09-15", wishedDate: "2024-09-30" };
    expect(problemsOf(file)).toEqual([
      'contracts[0].items[2].code: tariff code "gateway.gw20" has no price in 2024-09 (tariff 2024-04-01); it is priced from 2025-04-01',
      'contracts[0].planChanges[0].basePlan: tariff code "base.lite" has no price in 2024-10 (tariff 2024-04-01); it is priced from 2025-04-01',
    ]);
  });

  it("accepts a plan and a gateway model that a stored tariff version adds", () => {
    const stored = existing({
      tariffs: [
        {
          effectiveFrom: isoDate("2024-05-01"),
          prices: { "base.lite": 2000, "gateway.gw20": 10000 },
        },
      ],
    });
    const file = withContract({ planChanges: [{ date: "2024-06-01", basePlan: "base.lite" }] });
    file.contracts[0].items.push({
      code: "gateway.gw20",
      quantity: 1,
      ownership: "rental",
      from: "2024-05-01",
    });
    expect(problemsOf(file, stored)).toEqual([]);
  });

  it("refuses an unknown visit menu code", () => {
    expect(
      problemsOf(withContract({ visits: [visit({ lines: [{ code: "visit.cleaning" }] })] })),
    ).toEqual(['contracts[0].visits[0].lines[0].code: unknown tariff code "visit.cleaning"']);
  });
});

describe("malformed dates and instants", () => {
  it("refuses dates that are not YYYY-MM-DD or do not exist", () => {
    const file = withContract({
      serviceStart: "2024-02-30",
      planChanges: [{ date: "2024/10/05", basePlan: "base.standard" }],
      termination: { requestedOn: "2024-9-15", wishedDate: "2024-09-30", confirmedOn: 20240917 },
    });
    file.contracts[0].items[0].from = "10 April 2024";
    expect(problemsOf(file)).toEqual([
      'contracts[0].serviceStart: not a date (YYYY-MM-DD): "2024-02-30"',
      'contracts[0].items[0].from: not a date (YYYY-MM-DD): "10 April 2024"',
      'contracts[0].planChanges[0].date: not a date (YYYY-MM-DD): "2024/10/05"',
      'contracts[0].termination.requestedOn: not a date (YYYY-MM-DD): "2024-9-15"',
      "contracts[0].termination.confirmedOn: not a date (YYYY-MM-DD): 20240917",
    ]);
  });

  it("refuses instants without an offset", () => {
    const file = withContract({
      outages: [
        {
          services: ["base"],
          knownAt: "2024-06-01T10:00:00",
          restoredAt: "2024-06-03 12:00",
          customerFault: false,
        },
      ],
    });
    expect(problemsOf(file)).toEqual([
      'contracts[0].outages[0].knownAt: not an ISO 8601 instant with offset: "2024-06-01T10:00:00"',
      'contracts[0].outages[0].restoredAt: not an ISO 8601 instant with offset: "2024-06-03 12:00"',
    ]);
  });

  it("refuses a payment month that is not YYYY-MM and a visit start that is not HH:MM", () => {
    const file = withContract({
      payments: [{ billingMonth: "2024-13", paidOn: "2024-07-20", amountYen: null }],
      visits: [visit({ start: "9:00" })],
    });
    expect(problemsOf(file)).toEqual([
      'contracts[0].visits[0].start: not a time of day (HH:MM): "9:00"',
      'contracts[0].payments[0].billingMonth: not a month (YYYY-MM): "2024-13"',
    ]);
  });
});

describe("quantities", () => {
  it.each([
    [-1, "-1"],
    [0, "0"],
    [1.5, "1.5"],
    ["10", '"10"'],
    [null, null],
  ])("refuses item quantity %j", (quantity, shown) => {
    expect(problemsOf(withItem({ quantity }))).toEqual([
      shown === null
        ? "contracts[0].items[0].quantity: required"
        : `contracts[0].items[0].quantity: must be a whole number greater than 0, got ${shown}`,
    ]);
  });

  it("refuses bad visit line quantities and endpoint re-installs", () => {
    const file = withContract({
      visits: [
        visit({
          lines: [
            { code: "visit.base", quantity: 2 },
            { code: "visit.os_recovery", quantity: 0 },
            { code: "visit.app", quantity: 2, endpointReinstall: 3 },
            { code: "visit.printer", quantity: 1, endpointReinstall: 1 },
            { code: "visit.wifi", quantity: "two" },
          ],
        }),
      ],
    });
    expect(problemsOf(file)).toEqual([
      "contracts[0].visits[0].lines[0].quantity: visit.base is charged once per visit: must be 1, got 2",
      "contracts[0].visits[0].lines[1].quantity: must be a whole number greater than 0, got 0",
      "contracts[0].visits[0].lines[2].endpointReinstall: 3 is more than the quantity (2)",
      "contracts[0].visits[0].lines[3].endpointReinstall: belongs to visit.app lines only",
      'contracts[0].visits[0].lines[4].quantity: must be a whole number greater than 0, got "two"',
    ]);
  });

  it("refuses data migration without PCs, with empty volumes or a quantity that differs", () => {
    const file = withContract({
      visits: [
        visit({
          lines: [
            { code: "visit.data_migration" },
            { code: "visit.data_migration", quantity: 3, pcs: [{ gb: 30 }, { gb: -1 }] },
            { code: "visit.os_update", pcs: [{ gb: 1 }] },
          ],
        }),
      ],
    });
    expect(problemsOf(file)).toEqual([
      'contracts[0].visits[0].lines[0].pcs: required: one { "gb": … } per PC migrated',
      "contracts[0].visits[0].lines[1].pcs[1].gb: must be a volume in GB greater than 0, got -1",
      "contracts[0].visits[0].lines[1].quantity: 3 differs from the number of pcs (2)",
      "contracts[0].visits[0].lines[2].pcs: belongs to visit.data_migration lines only",
    ]);
  });

  it("refuses payment amounts that are not null or a positive whole number of yen", () => {
    const file = withContract({
      payments: [
        { billingMonth: "2024-05", paidOn: "2024-07-20", amountYen: 0 },
        { billingMonth: "2024-05", paidOn: "2024-07-21", amountYen: -500 },
        { billingMonth: "2024-05", paidOn: "2024-07-22", amountYen: 100.5 },
        { billingMonth: "2024-05", paidOn: "2024-07-23", amountYen: "22000" },
        { billingMonth: "2024-05", paidOn: "2024-07-24", amountYen: null },
        { billingMonth: "2024-05", paidOn: "2024-07-25", amountYen: 22000 },
      ],
    });
    expect(problemsOf(file)).toEqual([
      "contracts[0].payments[0].amountYen: must be a whole number greater than 0, got 0",
      "contracts[0].payments[1].amountYen: must be a whole number greater than 0, got -500",
      "contracts[0].payments[2].amountYen: must be a whole number greater than 0, got 100.5",
      'contracts[0].payments[3].amountYen: must be a whole number greater than 0, got "22000"',
    ]);
  });

  it("refuses a sandbox option with more than one unit", () => {
    const file = validFile();
    file.contracts[0].items.push({
      code: "sandbox",
      quantity: 2,
      ownership: "rental",
      from: "2024-04-10",
    });
    expect(problemsOf(file)).toEqual([
      "contracts[0].items[2].quantity: sandbox is one option per contract: must be 1, got 2",
    ]);
  });
});

describe("refs", () => {
  it("refuses a customer of an unknown reseller and a contract of an unknown customer", () => {
    const file = validFile();
    file.customers[0].reseller = "R9";
    file.contracts[0].customer = "C9";
    expect(problemsOf(file)).toEqual([
      'customers[0].reseller: unknown reseller "R9"',
      'contracts[0].customer: unknown customer "C9"',
    ]);
  });

  it("accepts a direct customer without a reseller", () => {
    const file = validFile();
    delete file.customers[0].reseller;
    expect(problemsOf(file)).toEqual([]);
  });

  it("refuses refs used twice in the file", () => {
    const file = validFile();
    file.resellers.push({ ref: "R1", name: "別の販売店" });
    file.customers.push({ ...file.customers[0] });
    file.contracts.push({ ...file.contracts[0], lineId: "COP9999999" });
    expect(problemsOf(file)).toEqual([
      'resellers[1].ref: duplicate reseller ref "R1" (already used at resellers[0].ref)',
      'customers[1].ref: duplicate customer ref "C1" (already used at customers[0].ref)',
      'contracts[1].ref: duplicate contract ref "K1" (already used at contracts[0].ref)',
    ]);
  });

  it("refuses refs the database already holds (a file is not imported twice)", () => {
    const db = existing({
      resellerRefs: new Set(["R1"]),
      customerRefs: new Set(["C1"]),
      contractRefs: new Set(["K1"]),
    });
    expect(problemsOf(validFile(), db)).toEqual([
      'resellers[0].ref: reseller ref "R1" already exists in the database',
      'customers[0].ref: customer ref "C1" already exists in the database',
      'contracts[0].ref: contract ref "K1" already exists in the database',
    ]);
  });
});

describe("line ids (T-6)", () => {
  const second = (patch: Json = {}): Json => ({ ...validFile().contracts[0], ref: "K2", ...patch });

  it("refuses two contracts of the file that are not terminated on the same line", () => {
    const file = validFile();
    file.contracts.push(second());
    expect(problemsOf(file)).toEqual([
      'contracts[1].lineId: line id "COP1830017" is also used by contract "K1" at contracts[0], which is not terminated (T-6)',
    ]);
  });

  it("accepts a line taken over from a contract whose termination is confirmed", () => {
    const file = validFile();
    file.contracts[0].termination = {
      requestedOn: "2024-09-15",
      wishedDate: "2024-09-30",
      confirmedOn: "2024-09-17",
    };
    file.contracts.push(second({ serviceStart: "2024-10-01", items: [] }));
    expect(problemsOf(file)).toEqual([]);
  });

  it("still refuses the line of a contract whose termination is requested but not confirmed", () => {
    const file = validFile();
    file.contracts[0].termination = {
      requestedOn: "2024-09-15",
      wishedDate: "2024-09-30",
      confirmedOn: null,
    };
    file.contracts.push(second({ items: [] }));
    expect(problemsOf(file)).toEqual([
      'contracts[1].lineId: line id "COP1830017" is also used by contract "K1" at contracts[0], which is not terminated (T-6)',
    ]);
  });

  it("refuses a line held by a live contract in the database, unless the file's contract is terminated", () => {
    const db = existing({ liveLineIds: new Map([["COP1830017", "K-1001"]]) });
    expect(problemsOf(validFile(), db)).toEqual([
      'contracts[0].lineId: line id "COP1830017" is held by contract "K-1001" in the database, which is not terminated (T-6)',
    ]);
    const terminated = withContract({
      termination: {
        requestedOn: "2024-09-15",
        wishedDate: "2024-09-30",
        confirmedOn: "2024-09-17",
      },
    });
    expect(problemsOf(terminated, db)).toEqual([]);
  });
});

describe("an end before its start", () => {
  it("refuses an item removed before it was added, or added before the service started", () => {
    const file = validFile();
    file.contracts[0].items[0].to = "2024-04-09";
    file.contracts[0].items[1].from = "2024-04-01";
    expect(problemsOf(file)).toEqual([
      "contracts[0].items[0].to: 2024-04-09 is before from (2024-04-10)",
      "contracts[0].items[1].from: 2024-04-01 is before serviceStart (2024-04-10)",
    ]);
  });

  it("accepts an item removed on the day it was added (charged one month)", () => {
    expect(problemsOf(withItem({ to: "2024-04-10" }))).toEqual([]);
  });

  it("refuses an outage restored before it was known", () => {
    const file = withContract({
      outages: [
        {
          services: ["gateway"],
          knownAt: "2024-06-03T12:00:00+09:00",
          restoredAt: "2024-06-03T02:59:59Z",
          customerFault: false,
        },
      ],
    });
    expect(problemsOf(file)).toEqual([
      'contracts[0].outages[0].restoredAt: "2024-06-03T02:59:59Z" is before knownAt ("2024-06-03T12:00:00+09:00")',
    ]);
  });

  it("compares outage instants as instants, not as text", () => {
    // 03:00Z is 12:00 JST: restored exactly when known, whatever the offsets written.
    const file = withContract({
      outages: [
        {
          services: ["gateway"],
          knownAt: "2024-06-03T12:00:00+09:00",
          restoredAt: "2024-06-03T03:00:00Z",
          customerFault: false,
        },
      ],
    });
    expect(problemsOf(file)).toEqual([]);
  });

  it("refuses a termination wished or confirmed before it was requested", () => {
    const file = withContract({
      termination: {
        requestedOn: "2024-09-15",
        wishedDate: "2024-09-14",
        confirmedOn: "2024-09-10",
      },
    });
    expect(problemsOf(file)).toEqual([
      "contracts[0].termination.wishedDate: 2024-09-14 is before requestedOn (2024-09-15)",
      "contracts[0].termination.confirmedOn: 2024-09-10 is before requestedOn (2024-09-15)",
    ]);
  });

  it("refuses a termination dated before the service start, and a plan change before it", () => {
    const file = withContract({
      items: [],
      planChanges: [{ date: "2024-04-01", basePlan: "base.standard" }],
      termination: {
        requestedOn: "2024-03-01",
        wishedDate: "2024-03-31",
        confirmedOn: "2024-03-05",
      },
    });
    expect(problemsOf(file)).toEqual([
      "contracts[0].planChanges[0].date: 2024-04-01 is before serviceStart (2024-04-10)",
      "contracts[0].termination: termination date 2024-03-31 (T-20: the later of wishedDate and confirmedOn) is before serviceStart (2024-04-10)",
    ]);
  });
});

describe("visit slots (S2)", () => {
  it("refuses a visit on a national holiday, with the reason and the next slot", () => {
    expect(problemsOf(withContract({ visits: [visit({ date: "2025-01-13" })] }))).toEqual([
      "contracts[0].visits[0].date: visit slot 2025-01-13 10:00 refused (S2): 祝日（成人の日）は訪問できません; next possible slot 2025-01-14 09:00",
    ]);
  });

  it("refuses a visit in the year-end holidays 12/29–1/3", () => {
    expect(
      problemsOf(
        withContract({ visits: [visit({ date: "2024-12-30" }), visit({ date: "2025-01-02" })] }),
      ),
    ).toEqual([
      "contracts[0].visits[0].date: visit slot 2024-12-30 10:00 refused (S2): 年末年始（12月29日〜1月3日）は訪問できません; next possible slot 2025-01-04 09:00",
      "contracts[0].visits[1].date: visit slot 2025-01-02 10:00 refused (S2): 年末年始（12月29日〜1月3日）は訪問できません; next possible slot 2025-01-04 09:00",
    ]);
  });

  it("refuses a Sunday or Saturday visit in the east, accepts Saturday in the west", () => {
    const east = withContract({
      area: "east",
      lineId: "CAF5120334",
      visits: [visit({ date: "2024-07-07" }), visit({ date: "2024-07-06" })],
    });
    expect(problemsOf(east)).toEqual([
      "contracts[0].visits[0].date: visit slot 2024-07-07 10:00 refused (S2): 東日本エリアの訪問は月曜〜金曜です; next possible slot 2024-07-08 09:00",
      "contracts[0].visits[1].date: visit slot 2024-07-06 10:00 refused (S2): 東日本エリアの訪問は月曜〜金曜です; next possible slot 2024-07-08 09:00",
    ]);
    expect(problemsOf(withContract({ visits: [visit({ date: "2024-07-06" })] }))).toEqual([]);
  });

  it("refuses a start outside 09:00–17:00", () => {
    expect(
      problemsOf(withContract({ visits: [visit({ start: "08:30" }), visit({ start: "17:00" })] })),
    ).toEqual([
      "contracts[0].visits[0].start: visit slot 2024-07-05 08:30 refused (S2): 訪問の開始は9:00以降です; next possible slot 2024-07-05 09:00",
      "contracts[0].visits[1].start: visit slot 2024-07-05 17:00 refused (S2): 訪問の開始は17:00より前です; next possible slot 2024-07-06 09:00",
    ]);
  });
});

describe("data migration (S6)", () => {
  const pcs = (n: number, gb: number) => Array.from({ length: n }, () => ({ gb }));

  it("refuses more than 20 PCs at the 50 GB tier in one visit: a quoted manual line is needed", () => {
    const file = withContract({
      visits: [
        visit({
          lines: [
            { code: "visit.base" },
            { code: "visit.data_migration", pcs: [...pcs(21, 30), ...pcs(3, 2)] },
          ],
        }),
      ],
    });
    expect(problemsOf(file)).toEqual([
      "contracts[0].visits[0].lines[1].pcs: 21 PCs at the 50 GB data-migration tier: the S6 table stops at 20 PCs, so this migration " +
        "needs a quoted manual line (manualLines) instead (50GBまでのデータ移行が21台あります。料金表（別紙6）は20台までのため、見積りによる手動明細で登録してください。)",
    ]);
  });

  it("counts the 50 GB PCs of every migration line of the visit", () => {
    const file = withContract({
      visits: [
        visit({
          lines: [
            { code: "visit.data_migration", pcs: pcs(12, 40) },
            { code: "visit.data_migration", pcs: pcs(9, 50) },
          ],
        }),
      ],
    });
    expect(problemsOf(file)).toEqual([
      expect.stringMatching(/^contracts\[0\]\.visits\[0\]\.lines\[0\]\.pcs: 21 PCs at the 50 GB/),
    ]);
  });

  it("accepts 20 PCs at the 50 GB tier, and any number at other tiers", () => {
    const file = withContract({
      visits: [
        visit({
          lines: [
            { code: "visit.data_migration", pcs: [...pcs(20, 50), ...pcs(30, 4), ...pcs(5, 600)] },
          ],
        }),
      ],
    });
    expect(problemsOf(file)).toEqual([]);
  });
});

describe("tariffs", () => {
  it("refuses versions not later than the built-in 2024-04-01 tariff, malformed dates and duplicates", () => {
    const file = {
      tariffs: [
        { effectiveFrom: "2024-04-01", prices: { "base.standard": 3300 } },
        { effectiveFrom: "2024-03-01", prices: { "base.standard": 3300 } },
        { effectiveFrom: "2025-04-31", prices: { "base.standard": 3300 } },
        { effectiveFrom: "2025-04-01", prices: { "base.standard": 3300 } },
        { effectiveFrom: "2025-04-01", prices: { "base.lite": 2000 } },
        { prices: { "base.standard": 3300 } },
      ],
    };
    expect(problemsOf(file)).toEqual([
      "tariffs[5].effectiveFrom: required",
      "tariffs[0].effectiveFrom: must be later than 2024-04-01",
      "tariffs[1].effectiveFrom: must be later than 2024-04-01",
      'tariffs[2].effectiveFrom: not a date (YYYY-MM-DD): "2025-04-31"',
      "tariffs[4].effectiveFrom: another version starts on 2025-04-01",
    ]);
  });

  it("refuses unknown price codes, prices that are not whole yen, and an empty version", () => {
    const file = {
      tariffs: [
        {
          effectiveFrom: "2025-04-01",
          prices: { "gateway.gw20x": 10000, endpoint: -1, sandbox: 99.5 },
        },
        { effectiveFrom: "2025-10-01", prices: {} },
      ],
    };
    expect(problemsOf(file)).toEqual([
      "tariffs[1].prices: must list at least one price",
      'tariffs[0].prices.gateway.gw20x: unknown tariff code "gateway.gw20x"',
      "tariffs[0].prices.endpoint: price must be a non-negative whole number of yen: -1",
      "tariffs[0].prices.sandbox: price must be a non-negative whole number of yen: 99.5",
    ]);
  });

  it("refuses a version whose date is already stored", () => {
    const file = { tariffs: [{ effectiveFrom: "2025-04-01", prices: { "base.standard": 3300 } }] };
    const db = existing({
      tariffs: [{ effectiveFrom: isoDate("2025-04-01"), prices: { "base.standard": 3200 } }],
    });
    expect(problemsOf(file, db)).toEqual([
      "tariffs[0].effectiveFrom: a tariff version starting on 2025-04-01 is already stored",
    ]);
  });

  it("does not let a refused version define codes for the rest of the file", () => {
    const file = withContract({ basePlan: "base.lite", serviceStart: "2024-05-01", items: [] });
    file.tariffs = [{ effectiveFrom: "2024-04-01", prices: { "base.lite": 2000 } }];
    expect(problemsOf(file)).toEqual([
      "tariffs[0].effectiveFrom: must be later than 2024-04-01",
      'contracts[0].basePlan: unknown tariff code "base.lite"',
    ]);
  });
});

describe("values from fixed lists", () => {
  it("refuses an unknown area, ownership, outage service and a bad manual line", () => {
    const file = withContract({
      area: "north",
      outages: [
        {
          services: ["gateway", "firewall", "gateway"],
          knownAt: "2024-06-01T10:00:00+09:00",
          restoredAt: null,
          customerFault: "no",
        },
      ],
      manualLines: [
        {
          date: "2024-08-10",
          description: "ゲートウェイ装置 未返却",
          amountYen: 50000.5,
          taxable: "yes",
        },
      ],
    });
    file.contracts[0].items[0].ownership = "leased";
    file.contracts[0].items[0].repair24h = true;
    expect(problemsOf(file)).toEqual([
      'contracts[0].area: must be "east" or "west", got "north"',
      'contracts[0].items[0].ownership: must be "rental" or "purchased", got "leased"',
      "contracts[0].items[0].repair24h: applies to gateways only",
      'contracts[0].outages[0].services[1]: unknown service "firewall" (base, endpoint, gateway or sandbox)',
      'contracts[0].outages[0].services[2]: service "gateway" is listed twice',
      'contracts[0].outages[0].customerFault: must be true or false, got "no"',
      "contracts[0].manualLines[0].amountYen: must be a whole number of yen, got 50000.5",
      'contracts[0].manualLines[0].taxable: must be true or false, got "yes"',
    ]);
  });

  it("accepts a negative manual line (a credit such as T-32 relief)", () => {
    const file = withContract({
      manualLines: [
        { date: "2024-08-10", description: "災害減免", amountYen: -3000, taxable: true },
      ],
    });
    expect(problemsOf(file)).toEqual([]);
  });
});

describe("shape", () => {
  it("refuses unknown sections and fields instead of dropping them", () => {
    const file: Json = validFile();
    file.contract = file.contracts;
    file.contracts[0].lineID = "COP1";
    file.contracts[0].items[0].qty = 3;
    file.notes = "移行分";
    expect(problemsOf(file)).toEqual([
      'contract: unknown field (did you mean "contracts"?)',
      'notes: unknown field; expected one of "tariffs", "resellers", "customers", "contracts", "licenses"',
      'contracts[0].lineID: unknown field (did you mean "lineId"?)',
      'contracts[0].items[0].qty: unknown field; expected one of "code", "quantity", "ownership", "repair24h", "from", "to"',
    ]);
  });

  it("refuses wrong types and missing required fields", () => {
    const file = {
      resellers: [{ ref: "R1" }, "R2"],
      customers: [
        { ref: "C1", name: 7, email: "it-at-minato", phone: "", address: "大阪府", reseller: "R1" },
      ],
      contracts: { ref: "K1" },
    };
    expect(problemsOf(file)).toEqual([
      "resellers[0].name: required",
      'resellers[1]: must be an object, got "R2"',
      "customers[0].name: must be a string, got 7",
      'customers[0].email: not an e-mail address: "it-at-minato"',
      "customers[0].phone: must not be empty",
      "contracts: must be a list, got an object",
    ]);
  });

  it("refuses texts longer than the console stores (issue 15 item 1)", () => {
    const file = {
      customers: [
        {
          ref: "C1",
          name: "名".repeat(201),
          email: `${"a".repeat(250)}@x.jp`,
          phone: "06-6571-0001",
          address: "住".repeat(201),
        },
      ],
    };
    expect(problemsOf(file)).toEqual([
      "customers[0].name: must be at most 200 characters, got 201",
      "customers[0].email: must be at most 254 characters, got 255",
      "customers[0].address: must be at most 200 characters, got 201",
    ]);
  });

  it("refuses a contract missing every required field, listing each", () => {
    expect(problemsOf({ contracts: [{}] })).toEqual([
      "contracts[0].ref: required",
      "contracts[0].customer: required",
      "contracts[0].lineId: required",
      "contracts[0].area: required",
      "contracts[0].basePlan: required",
      "contracts[0].serviceStart: required",
    ]);
  });

  it("refuses a top level that is not an object", () => {
    expect(problemsOf([validFile()])).toEqual([
      "(top level): must be a JSON object with the sections tariffs, resellers, customers, contracts, licenses, got an array",
    ]);
  });

  it("lists every problem of the file, not only the first", () => {
    const file = validFile();
    file.customers[0].reseller = "R9";
    file.contracts[0].items[0].code = "gateway.gw20";
    file.contracts[0].items[1].quantity = -1;
    file.contracts[0].visits = [visit({ date: "2025-01-13" })];
    file.contracts[0].payments = [
      { billingMonth: "2024/05", paidOn: "2024-07-20", amountYen: null },
    ];
    expect(problemsOf(file)).toEqual([
      'customers[0].reseller: unknown reseller "R9"',
      'contracts[0].items[0].code: unknown tariff code "gateway.gw20"',
      "contracts[0].items[1].quantity: must be a whole number greater than 0, got -1",
      "contracts[0].visits[0].date: visit slot 2025-01-13 10:00 refused (S2): 祝日（成人の日）は訪問できません; next possible slot 2025-01-14 09:00",
      'contracts[0].payments[0].billingMonth: not a month (YYYY-MM): "2024/05"',
    ]);
  });
});

describe("manual lines name their rule", () => {
  it("accepts an optional code and rule id, and refuses malformed ones", async () => {
    const { validateImportFile } = await import("./import-file");
    const file = (line: Record<string, unknown>) => ({
      resellers: [{ ref: "R1", name: "販売店" }],
      customers: [
        {
          ref: "C1",
          name: "顧客",
          email: "a@b.example",
          phone: "03-0000-0000",
          address: "東京都",
          reseller: "R1",
        },
      ],
      contracts: [
        {
          ref: "K1",
          customer: "C1",
          lineId: "CAF0000001",
          area: "east",
          basePlan: "base.standard",
          serviceStart: "2024-04-10",
          manualLines: [
            { date: "2024-08-10", description: "割増金", amountYen: 2000, taxable: true, ...line },
          ],
        },
      ],
    });
    const ok = validateImportFile(file({ code: "surcharge", rule: "T-25" }));
    expect(ok.ok && ok.value.contracts[0].manualLines[0]).toMatchObject({
      code: "surcharge",
      rule: "T-25",
    });
    expect(validateImportFile(file({ rule: "clause 25" }))).toEqual({
      ok: false,
      kind: "validation",
      fields: { "contracts[0].manualLines[0].rule": 'not a valid value: "clause 25"' },
    });
  });
});

describe('licenses (docs/rules/import-format.md "Licenses", docs/rules/licenses.md L-1)', () => {
  /** The docs/rules/import-format.md example licence, with a customer in the file. */
  const example = (): Json => ({
    ref: "L1",
    customer: "C1",
    product: "マルチデバイスセキュリティ",
    channel: "vendor_store",
    term: "annual",
    kind: "standard",
    region: "JP",
    seats: 3,
    priceYen: 7980,
    orderNumber: "NP12345678",
    productKey: "ABCD-EFGH-IJKL",
    mainLicense: null,
    autoRenew: true,
    soldVia: "vendor",
    previouslyRefunded: false,
    serviceUsed: false,
    charges: [
      { date: "2024-05-01", amountYen: 7980, type: "purchase" },
      { date: "2025-05-01", amountYen: 7980, type: "renewal" },
    ],
  });
  const withLicenses = (...licenses: Json[]): Json => ({ ...validFile(), licenses });

  it("accepts the example and normalizes it to the pure License (charges by date, renewal state from autoRenew)", () => {
    const l = example();
    l.charges.reverse();
    const addOn = {
      ...example(),
      ref: "A1",
      mainLicense: "L1",
      productKey: null,
      orderNumber: undefined,
      priceYen: 1980,
      autoRenew: false,
      previouslyRefunded: undefined,
      serviceUsed: undefined,
      charges: [{ date: "2024-06-01", amountYen: 1980, type: "purchase" }],
    };
    const result = validateImportFile(withLicenses(addOn, l));
    if (!result.ok) throw new Error(JSON.stringify(result.fields));
    expect(result.value.licenses).toEqual([
      {
        ref: "A1",
        customer: "C1",
        product: "マルチデバイスセキュリティ",
        channel: "vendor_store",
        term: "annual",
        kind: "standard",
        region: "JP",
        seats: 3,
        priceYen: 1980,
        orderNumber: null,
        productKey: null,
        mainLicense: "L1",
        autoRenew: false,
        soldVia: "vendor",
        previouslyRefunded: false,
        serviceUsed: false,
        charges: [{ date: "2024-06-01", amountYen: 1980, type: "purchase" }],
        renewalState: "stopped",
        contractNumber: null,
        carrier: null,
        carrierPaymentNumber: null,
        provider: null,
        orderEmail: null,
      },
      {
        ...example(),
        mainLicense: null,
        renewalState: "active",
        contractNumber: null,
        carrier: null,
        carrierPaymentNumber: null,
        provider: null,
        orderEmail: null,
      },
    ]);
  });

  it("accepts the channel numbers the lookup uses (ISP contract number, carrier payment number, order e-mail)", () => {
    const isp = {
      ...example(),
      ref: "I1",
      channel: "isp",
      term: "monthly",
      priceYen: 627,
      orderNumber: null,
      soldVia: "third_party",
      contractNumber: "8123456789",
      charges: [{ date: "2024-05-10", amountYen: 0, type: "purchase" }],
    };
    const carrier = {
      ...example(),
      ref: "K1",
      channel: "carrier_provider",
      term: "monthly",
      priceYen: 550,
      orderNumber: null,
      soldVia: "third_party",
      carrier: "docomo",
      carrierPaymentNumber: "D-1234-5678",
      provider: "storefront",
      orderEmail: "shop@minato.example",
      charges: [{ date: "2024-05-10", amountYen: 550, type: "purchase" }],
    };
    const result = validateImportFile(withLicenses(isp, carrier));
    if (!result.ok) throw new Error(JSON.stringify(result.fields));
    expect(
      result.value.licenses.map((l) => [
        l.contractNumber,
        l.carrier,
        l.carrierPaymentNumber,
        l.provider,
        l.orderEmail,
      ]),
    ).toEqual([
      ["8123456789", null, null, null, null],
      [null, "docomo", "D-1234-5678", "storefront", "shop@minato.example"],
    ]);
  });

  it("checks every field with its path", () => {
    const bad = {
      ref: "L9",
      customer: "C9",
      product: "",
      channel: "shop",
      term: "yearly",
      kind: "gift",
      region: "US",
      seats: 0,
      priceYen: -1,
      orderNumber: 12,
      autoRenew: "yes",
      soldVia: "retail",
      previouslyRefunded: 1,
      serviceUsed: null,
      charges: [{ date: "2024-13-01", amountYen: 1.5, type: "refund" }, "2024-05-01"],
      carrier: "docomo",
      provider: "acme",
      orderEmail: "not-an-address",
      extra: true,
    };
    expect(problemsOf(withLicenses(bad))).toEqual([
      'licenses[0].extra: unknown field; expected one of "ref", "customer", "product", "channel", "term", "kind", "region", "seats", ' +
        '"priceYen", "orderNumber", "productKey", "mainLicense", "autoRenew", "soldVia", "previouslyRefunded", "serviceUsed", "charges", ' +
        '"contractNumber", "carrier", "carrierPaymentNumber", "provider", "orderEmail"',
      'licenses[0].customer: unknown customer "C9"',
      "licenses[0].product: must not be empty",
      'licenses[0].channel: must be "vendor_store" or "isp" or "carrier_provider" or "reseller" or "app_store", got "shop"',
      'licenses[0].term: must be "annual" or "monthly", got "yearly"',
      'licenses[0].kind: must be "standard" or "service" or "trial", got "gift"',
      'licenses[0].region: must be "JP" or "UK" or "NL" or "EEA" or "CH" or "other", got "US"',
      "licenses[0].seats: must be a whole number greater than 0, got 0",
      "licenses[0].priceYen: must be a whole number of at least 0, got -1",
      "licenses[0].orderNumber: must be a non-empty string, got 12",
      'licenses[0].autoRenew: must be true or false, got "yes"',
      'licenses[0].soldVia: must be "vendor" or "third_party" or "bundled" or "nfr", got "retail"',
      "licenses[0].previouslyRefunded: must be true or false, got 1",
      'licenses[0].charges[0].date: not a date (YYYY-MM-DD): "2024-13-01"',
      "licenses[0].charges[0].amountYen: must be a whole number of at least 0, got 1.5",
      'licenses[0].charges[0].type: must be "purchase" or "renewal" or "trial_conversion", got "refund"',
      'licenses[0].charges[1]: must be an object, got "2024-05-01"',
      'licenses[0].provider: must be "storefront" or "appmes", got "acme"',
      'licenses[0].orderEmail: not an e-mail address: "not-an-address"',
    ]);
  });

  it("refuses charges out of order: a purchase first (a trial conversion for trials), renewals after, one a day", () => {
    const renewalFirst = {
      ...example(),
      charges: [{ date: "2024-05-01", amountYen: 7980, type: "renewal" }],
    };
    const twoPurchases = {
      ...example(),
      ref: "L2",
      charges: [
        { date: "2025-05-01", amountYen: 7980, type: "purchase" },
        { date: "2024-05-01", amountYen: 7980, type: "purchase" },
        { date: "2024-05-01", amountYen: 100, type: "renewal" },
      ],
    };
    const trial = {
      ...example(),
      ref: "T1",
      kind: "trial",
      charges: [{ date: "2024-06-01", amountYen: 7980, type: "purchase" }],
    };
    const trialLater = { ...example(), ref: "T2", kind: "trial", charges: [] };
    const noCharge = { ...example(), ref: "L3", charges: undefined };
    // Charges are checked in date order: in licenses[1], charges[1] (2024-05-01) is the purchase.
    expect(
      problemsOf(withLicenses(renewalFirst, twoPurchases, trial, trialLater, noCharge)),
    ).toEqual([
      'licenses[0].charges[0].type: the first charge of a standard licence must be "purchase", got "renewal"',
      "licenses[1].charges[2].date: 2024-05-01 is also the date of licenses[1].charges[1]: a licence is charged once a day",
      'licenses[1].charges[0].type: only the first charge is a "purchase"; a later one must be "renewal", got "purchase"',
      'licenses[2].charges[0].type: the first charge of a trial licence must be "trial_conversion", got "purchase"',
      'licenses[4].charges: required: at least the purchase ({ "date", "amountYen", "type": "purchase" })',
    ]);
  });

  it("keeps channel numbers to their channel", () => {
    const l = {
      ...example(),
      contractNumber: "8123456789",
      carrier: "au",
      carrierPaymentNumber: "A-1",
      provider: "appmes",
    };
    expect(problemsOf(withLicenses(l))).toEqual([
      "licenses[0].contractNumber: belongs to isp licences only",
      "licenses[0].carrier: belongs to carrier_provider licences only",
      "licenses[0].carrierPaymentNumber: belongs to carrier_provider licences only",
      "licenses[0].provider: belongs to carrier_provider licences only",
    ]);
  });

  it("refuses unknown, foreign, self and circular main licences, and duplicate refs", () => {
    const file = withLicenses(
      { ...example(), ref: "A1", mainLicense: "L404" },
      { ...example(), ref: "A2", mainLicense: "A2" },
      { ...example(), ref: "A3", mainLicense: "L5" },
      { ...example(), ref: "X1", mainLicense: "X2" },
      { ...example(), ref: "X2", mainLicense: "X1" },
      { ...example(), ref: "A1" },
    );
    const stored = existing({
      customerRefs: new Set(["C5"]),
      licenseRefs: new Map([["L5", "C5"]]),
    });
    expect(problemsOf(file, stored)).toEqual([
      'licenses[5].ref: duplicate license ref "A1" (already used at licenses[0].ref)',
      'licenses[0].mainLicense: unknown main license "L404"',
      "licenses[1].mainLicense: a licence cannot be its own main licence",
      'licenses[2].mainLicense: main license "L5" belongs to customer "C5", not "C1"',
      "licenses[3].mainLicense: main licences form a cycle: X1 → X2 → X1",
      "licenses[4].mainLicense: main licences form a cycle: X2 → X1 → X2",
    ]);
  });

  it("accepts an add-on of a licence already in the database, and refuses a ref already stored", () => {
    const stored = existing({
      customerRefs: new Set(["C7"]),
      licenseRefs: new Map([
        ["L5", "C7"],
        ["L1", "C7"],
      ]),
    });
    const addOn = { ...example(), ref: "A1", customer: "C7", mainLicense: "L5" };
    expect(problemsOf({ licenses: [addOn] }, stored)).toEqual([]);
    expect(problemsOf({ licenses: [{ ...example(), customer: "C7" }] }, stored)).toEqual([
      'licenses[0].ref: license ref "L1" already exists in the database',
    ]);
  });
});

describe("customers[].directDebit and kanaName (issue 20)", () => {
  it("accepts an account at an existing bank and branch and normalises the kana to half-width", () => {
    const file = validFile();
    Object.assign(file.customers[0], {
      kanaName: "テストショウジ",
      directDebit: {
        bankCode: "0001",
        branchCode: "001",
        accountType: "当座",
        accountNumber: "12345",
        holderKana: "（カ）テストショウジ",
      },
    });
    const result = validateImportFile(file, NO_EXISTING_KEYS);
    expect(result.ok && result.value.customers[0].kanaName).toBe("ﾃｽﾄｼﾖｳｼﾞ");
    expect(result.ok && result.value.customers[0].directDebit).toEqual({
      bankCode: "0001",
      branchCode: "001",
      accountType: 2,
      accountNumber: "0012345",
      holderKana: "(ｶ)ﾃｽﾄｼﾖｳｼﾞ",
    });
  });

  it("refuses an unknown branch, an unknown type, a long number and a kanji holder, each by its path", () => {
    const file = validFile();
    file.customers.push({
      ...file.customers[0],
      ref: "C2",
      directDebit: {
        bankCode: "0001",
        branchCode: "999",
        accountType: "貯蓄",
        accountNumber: "12345678",
        holderKana: "山田",
      },
    });
    file.customers.push({
      ...file.customers[0],
      ref: "C3",
      kanaName: "株式会社",
      directDebit: {
        bankCode: "9999",
        branchCode: "001",
        accountType: "普通",
        accountNumber: "1",
        holderKana: "ﾔﾏﾀﾞ",
      },
    });
    expect(problemsOf(file)).toEqual([
      "customers[1].directDebit.branchCode: みずほに支店コード 999 の支店は見つかりません",
      "customers[1].directDebit.accountType: 預金種目は「普通」か「当座」を選んでください",
      "customers[1].directDebit.accountNumber: 口座番号は数字7桁以内で入力してください",
      "customers[1].directDebit.holderKana: 口座名義（カナ）は半角カナ・英大文字・数字・スペースと ( ) - . / で入力してください（漢字や記号は使えません）",
      "customers[2].kanaName: カナ名は半角カナ・英大文字・数字・スペースと ( ) - . / で入力してください（漢字や記号は使えません）",
      "customers[2].directDebit.bankCode: 銀行コード 9999 の金融機関は見つかりません",
    ]);
  });
});
