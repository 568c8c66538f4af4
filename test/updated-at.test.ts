// `updated_at` (migration 001120, issue 19 item 2) moves with every update of the records the
// partner API filters by update time: one real operation per table through the console's own
// code, and a source check that every update and insert of those tables in app/ writes it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { submitApplication, rejectApplication } from "../app/contracts/applications.server";
import { suspendContract } from "../app/contracts/suspensions.server";
import { setCustomerPeppolId } from "../app/customers/customers.server";
import { applyIspSecurity, cancelIspContract } from "../app/licenses/isp.server";
import { ingestRecords } from "../app/security/ingest.server";
import { transitionIncident } from "../app/security/incidents.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { isoDate } from "../app/lib/jst";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: true });
});
afterAll(() => t.dispose());
afterEach(() => {
  delete process.env.APP_NOW;
});

const actor = { id: null, email: "test" };
const later = new Date("2026-11-25T03:04:05.000Z");
const TABLES = [
  "customers",
  "contracts",
  "applications",
  "incidents",
  "devices",
  "licenses",
] as const;

async function updatedAt(table: (typeof TABLES)[number], id: number): Promise<string | null> {
  return (
    await t.db.selectFrom(table).select("updated_at").where("id", "=", id).executeTakeFirstOrThrow()
  ).updated_at;
}

describe("updated_at moves on update", () => {
  it("the migration filled every existing row of the demo data", async () => {
    for (const table of TABLES) {
      const { n } = await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("updated_at", "is", null)
        .executeTakeFirstOrThrow();
      expect([table, Number(n)]).toEqual([table, 0]);
    }
  });

  it("customers: a changed Peppol id", async () => {
    const c = await t.db
      .selectFrom("customers")
      .select(["id", "updated_at"])
      .where("ref", "=", "C1")
      .executeTakeFirstOrThrow();
    expect(c.updated_at).not.toBe(later.toISOString());
    process.env.APP_NOW = later.toISOString();
    expect(
      await setCustomerPeppolId(t.db, {
        id: c.id,
        tenant: { kind: "provider" },
        peppolId: "0188:1234567890123",
        actor,
        ip: "",
      }),
    ).toBe(true);
    expect(await updatedAt("customers", c.id)).toBe(later.toISOString());
  });

  it("contracts: a suspension", async () => {
    const k = await t.db
      .selectFrom("contracts")
      .select(["id", "updated_at"])
      .where("status", "=", "active")
      .orderBy("ref")
      .executeTakeFirstOrThrow();
    const before = k.updated_at;
    const r = await suspendContract(t.db, {
      contractId: k.id,
      reason: "breach",
      note: "",
      startsOn: isoDate("2026-11-25"),
      endsOn: null,
      emergency: true,
      today: isoDate("2026-11-25"),
      at: later,
      actor,
      ip: "",
    });
    expect(r).toEqual({ ok: true });
    expect([before, await updatedAt("contracts", k.id)]).toEqual([
      TEST_NOW.toISOString(),
      later.toISOString(),
    ]);
  });

  it("applications: created, then rejected later", async () => {
    const c = await t.db
      .selectFrom("customers")
      .select(["id", "reseller_id"])
      .where("ref", "=", "C1")
      .executeTakeFirstOrThrow();
    const submitted = await submitApplication(t.db, {
      tenant: { kind: "reseller", resellerId: c.reseller_id! },
      at: TEST_NOW,
      actor,
      ip: "",
      input: {
        customerId: String(c.id),
        holderName: "株式会社テスト",
        holderAddress: "東京都",
        holderPhone: "03-0000-0000",
        holderEmail: "a@test.example",
        lineId: "COP7654321",
        area: "east",
        endpointSeats: 1,
        endpointOwnership: "rental",
        gatewayModel: "",
        gatewayOwnership: "rental",
        gatewayRepair24h: undefined,
        wishedStart: "2027-01-10",
        consent: "yes",
      } as never,
    });
    expect(submitted.ok, JSON.stringify(submitted)).toBe(true);
    const id = (submitted as { value: { id: number } }).value.id;
    expect(await updatedAt("applications", id)).toBe(TEST_NOW.toISOString());
    expect(
      await rejectApplication(t.db, {
        id,
        reasonCode: 1,
        note: "",
        at: later,
        actor,
        ip: "",
        revoke: false,
      }),
    ).toMatchObject({ ok: true });
    expect(await updatedAt("applications", id)).toBe(later.toISOString());
  });

  it("incidents: acknowledged", async () => {
    const i = await t.db
      .selectFrom("incidents")
      .select(["id", "updated_at"])
      .where("status", "=", "new")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    expect(i.updated_at).not.toBe(later.toISOString());
    expect(
      await transitionIncident(t.db, {
        id: i.id,
        tenant: { kind: "provider" },
        to: "acknowledged",
        assignee: "x",
        notes: "",
        at: later,
        actor,
        ip: "",
      }),
    ).toEqual({ ok: true });
    expect(await updatedAt("incidents", i.id)).toBe(later.toISOString());
  });

  it("devices: the ingest writes the device again", async () => {
    const d = await t.db
      .selectFrom("devices")
      .innerJoin("contracts", "contracts.id", "devices.contract_id")
      .select(["devices.id", "devices.name", "devices.updated_at", "contracts.ref"])
      .orderBy("devices.id")
      .executeTakeFirstOrThrow();
    expect(d.updated_at).toBe(TEST_NOW.toISOString());
    await ingestRecords(
      t.db,
      [
        {
          kind: "device",
          contract: d.ref,
          name: d.name,
          deviceType: "gateway",
          os: null,
          ip: "192.168.99.1",
          location: null,
          agentVersion: null,
          patternVersion: "20.000.00",
          lastSeenAt: later,
        },
      ],
      { now: later },
    );
    expect(await updatedAt("devices", d.id)).toBe(later.toISOString());
  });

  it("licenses: an ISP contract applied for, then cancelled later", async () => {
    const c = await t.db
      .selectFrom("customers")
      .select("id")
      .where("ref", "=", "C1")
      .executeTakeFirstOrThrow();
    process.env.APP_NOW = TEST_NOW.toISOString();
    const applied = await applyIspSecurity(t.db, {
      input: {
        idempotencyKey: "updated-at-test-0001",
        customerId: c.id,
        product: "web_filtering_win",
        devices: 1,
      },
      tenant: { kind: "provider" },
      on: isoDate("2026-11-22"),
      actor,
      ip: null,
    });
    expect(applied?.ok, JSON.stringify(applied)).toBe(true);
    const id = applied.ok ? applied.value.licenseId : 0;
    expect(await updatedAt("licenses", id)).toBe(TEST_NOW.toISOString());
    process.env.APP_NOW = later.toISOString();
    expect(
      await cancelIspContract(t.db, {
        id,
        tenant: { kind: "provider" },
        on: isoDate("2026-11-25"),
        actor,
        ip: null,
      }),
    ).toMatchObject({ ok: true });
    expect(await updatedAt("licenses", id)).toBe(later.toISOString());
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

describe("every write of these tables in app/ sets updated_at", () => {
  it("each updateTable/insertInto statement names updated_at before it executes", () => {
    const missing: string[] = [];
    let statements = 0;
    for (const file of sourceFiles(join(__dirname, "..", "app"))) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(
        /(updateTable|insertInto)\("(customers|contracts|applications|incidents|devices|licenses)"\)/g,
      )) {
        statements++;
        const rest = text.slice(m.index);
        const end = rest.search(/\.execute(TakeFirst(OrThrow)?)?\(/);
        // The statement itself, or the rows it inserts when they are built just above it.
        const statement =
          text.slice(0, m.index).split("\n").slice(-12).join("\n") +
          rest.slice(0, end === -1 ? undefined : end);
        if (!statement.includes("updated_at"))
          missing.push(
            `${file.slice(file.indexOf("app/"))}:${text.slice(0, m.index).split("\n").length} ${m[0]}`,
          );
      }
    }
    expect(statements).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });
});
