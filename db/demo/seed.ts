// Demo data: one provider, resellers R1 (west) and R2 (east), eight customers with Japanese
// company names, ten contracts with rental and purchased endpoints and every gateway model,
// their devices, and the demo accounts. Dates are relative to "today" so the demo always
// looks current; the same "today" always gives the same data.
import type { Kysely } from "kysely";
import { hashPassword } from "../../app/auth/password.server";
import { requestHolderChange } from "../../app/contracts/holder-changes.server";
import {
  addDays,
  addMonths,
  firstDayOf,
  instantOf,
  isoDate,
  type IsoDate,
  jstDate,
  jstInstant,
  monthOf,
} from "../../app/lib/jst";
import { publishServiceNotice } from "../../app/notices/service-notices.server";
import type { Area, Database, Ownership, Role } from "../schema";
import { seedBillingHistory } from "./seed-billing";
import { seedLicenses } from "./seed-licenses";
import { seedSecurityEvents } from "./seed-events";

export const DEMO_PASSWORD = "demo-password-2026";

export interface DemoAccount {
  email: string;
  role: Role;
  displayName: string;
  reseller?: string;
  customer?: string;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { email: "admin@demo.example", role: "provider_admin", displayName: "管理 太郎" },
  { email: "operator@demo.example", role: "operator", displayName: "運用 花子" },
  { email: "finance@demo.example", role: "finance", displayName: "経理 一郎" },
  {
    email: "reseller@demo.example",
    role: "reseller_manager",
    displayName: "西田 誠",
    reseller: "R1",
  },
  {
    email: "reseller2@demo.example",
    role: "reseller_manager",
    displayName: "東山 彩",
    reseller: "R2",
  },
  {
    email: "customer@demo.example",
    role: "customer_admin",
    displayName: "港 健一",
    customer: "C1",
  },
  {
    email: "customer2@demo.example",
    role: "customer_admin",
    displayName: "青葉 美咲",
    customer: "C5",
  },
];

const RESELLERS = [
  { ref: "R1", name: "西日本OAサービス株式会社" },
  { ref: "R2", name: "東日本ITパートナーズ株式会社" },
] as const;

const CUSTOMERS = [
  {
    ref: "C1",
    reseller: "R1",
    name: "株式会社みなと製作所",
    email: "it@minato.example",
    phone: "06-6571-0001",
    address: "大阪府大阪市港区築港2-1-10",
  },
  {
    ref: "C2",
    reseller: "R1",
    name: "なにわ会計事務所",
    email: "office@naniwa-kaikei.example",
    phone: "06-6201-0002",
    address: "大阪府大阪市中央区北浜3-5-8",
  },
  {
    ref: "C3",
    reseller: "R1",
    name: "株式会社かもめ物流",
    email: "system@kamome-logi.example",
    phone: "078-391-0003",
    address: "兵庫県神戸市中央区港島1-4-2",
  },
  {
    ref: "C4",
    reseller: "R1",
    name: "医療法人さくら歯科クリニック",
    email: "jimu@sakura-dental.example",
    phone: "075-211-0004",
    address: "京都府京都市中京区烏丸通御池下ル",
  },
  {
    ref: "C5",
    reseller: "R2",
    name: "株式会社あおば設計",
    email: "admin@aoba-sekkei.example",
    phone: "03-5321-0005",
    address: "東京都新宿区西新宿2-8-1",
  },
  {
    ref: "C6",
    reseller: "R2",
    name: "合同会社ひばり不動産",
    email: "info@hibari-fudosan.example",
    phone: "048-641-0006",
    address: "埼玉県さいたま市大宮区桜木町1-7-5",
  },
  {
    ref: "C7",
    reseller: "R2",
    name: "株式会社ほくと食品",
    email: "it@hokuto-foods.example",
    phone: "011-221-0007",
    address: "北海道札幌市中央区北一条西4-2",
  },
  {
    ref: "C8",
    reseller: "R2",
    name: "税理士法人みらい総合会計",
    email: "soumu@mirai-sogo.example",
    phone: "045-671-0008",
    address: "神奈川県横浜市中区日本大通11",
  },
] as const;

interface SeedItem {
  code: string;
  quantity: number;
  ownership: Ownership;
  repair24h?: boolean;
}

interface SeedContract {
  ref: string;
  customer: string;
  lineId: string;
  area: Area;
  monthsAgo: number;
  startDay: string;
  items: SeedItem[];
  location: string;
  terminatedMonthsAgo?: number;
}

// FLET'S line ids: CAF… in the east, COP… in the west.
const CONTRACTS: readonly SeedContract[] = [
  {
    ref: "K-1001",
    customer: "C1",
    lineId: "COP1830017",
    area: "west",
    monthsAgo: 20,
    startDay: "10",
    location: "本社",
    items: [
      { code: "gateway.gw50", quantity: 1, ownership: "rental" },
      { code: "endpoint", quantity: 10, ownership: "rental" },
    ],
  },
  {
    ref: "K-1002",
    customer: "C1",
    lineId: "COP1830452",
    area: "west",
    monthsAgo: 8,
    startDay: "03",
    location: "堺工場",
    items: [
      { code: "gateway.gw10", quantity: 1, ownership: "rental" },
      { code: "endpoint", quantity: 3, ownership: "purchased" },
    ],
  },
  {
    ref: "K-1003",
    customer: "C2",
    lineId: "COP2207781",
    area: "west",
    monthsAgo: 14,
    startDay: "21",
    location: "事務所",
    items: [
      { code: "gateway.gw10", quantity: 1, ownership: "purchased" },
      { code: "endpoint", quantity: 5, ownership: "rental" },
    ],
  },
  {
    ref: "K-1004",
    customer: "C3",
    lineId: "COP3105526",
    area: "west",
    monthsAgo: 30,
    startDay: "01",
    location: "物流センター",
    items: [
      { code: "gateway.gw100", quantity: 1, ownership: "rental" },
      { code: "endpoint", quantity: 24, ownership: "rental" },
      { code: "endpoint", quantity: 12, ownership: "purchased" },
    ],
  },
  {
    ref: "K-1005",
    customer: "C4",
    lineId: "COP4419003",
    area: "west",
    monthsAgo: 5,
    startDay: "15",
    location: "診療所",
    items: [
      { code: "gateway.gw10", quantity: 1, ownership: "rental", repair24h: false },
      { code: "endpoint", quantity: 6, ownership: "rental" },
    ],
  },
  {
    ref: "K-1006",
    customer: "C2",
    lineId: "COP2207990",
    area: "west",
    monthsAgo: 21,
    startDay: "12",
    location: "旧事務所",
    terminatedMonthsAgo: 2,
    items: [
      { code: "gateway.gw10", quantity: 1, ownership: "rental" },
      { code: "endpoint", quantity: 2, ownership: "rental" },
    ],
  },
  {
    ref: "K-2001",
    customer: "C5",
    lineId: "CAF5120334",
    area: "east",
    monthsAgo: 17,
    startDay: "07",
    location: "本社",
    items: [
      { code: "gateway.gw50", quantity: 1, ownership: "rental" },
      { code: "endpoint", quantity: 15, ownership: "rental" },
    ],
  },
  {
    ref: "K-2002",
    customer: "C6",
    lineId: "CAF6032871",
    area: "east",
    monthsAgo: 11,
    startDay: "18",
    location: "店舗",
    items: [
      { code: "gateway.gw10", quantity: 1, ownership: "rental", repair24h: false },
      { code: "endpoint", quantity: 4, ownership: "purchased" },
    ],
  },
  {
    ref: "K-2003",
    customer: "C7",
    lineId: "CAF7310045",
    area: "east",
    monthsAgo: 36,
    startDay: "01",
    location: "本社工場",
    items: [
      { code: "gateway.gw100", quantity: 1, ownership: "purchased" },
      { code: "endpoint", quantity: 30, ownership: "rental" },
    ],
  },
  {
    ref: "K-2004",
    customer: "C8",
    lineId: "CAF8455190",
    area: "east",
    monthsAgo: 9,
    startDay: "25",
    location: "事務所",
    items: [
      { code: "gateway.gw50", quantity: 1, ownership: "rental" },
      { code: "endpoint", quantity: 8, ownership: "rental" },
      { code: "endpoint", quantity: 4, ownership: "purchased" },
    ],
  },
];

const PC_OS = [
  "Windows 11 Pro",
  "Windows 11 Pro",
  "Windows 10 Pro",
  "Windows 11 Pro",
  "macOS 14 Sonoma",
  "Windows Server 2022",
];
const FLOORS = ["1F", "2F", "3F"];

/** Agent 14.0.x and pattern 19.9xx are current; a few devices lag so the console has something to show. */
function pcDevice(contractIndex: number, n: number, today: IsoDate, location: string) {
  const seed = contractIndex * 31 + n * 7;
  const outdated = seed % 9 === 0;
  const stale = seed % 13 === 0;
  const os = PC_OS[seed % PC_OS.length];
  const lastSeenDay = stale ? addDays(today, -(10 + (seed % 20))) : today;
  const hour = String(8 + (seed % 10)).padStart(2, "0");
  return {
    name: `PC-${String(n).padStart(3, "0")}`,
    device_type: (os.startsWith("Windows Server") ? "server" : "pc") as "pc" | "server",
    os,
    ip: `192.168.${10 + contractIndex}.${20 + n}`,
    location: `${location}${FLOORS[seed % FLOORS.length]}`,
    agent_version: outdated ? "13.5.2" : "14.0.6",
    pattern_version: outdated ? "19.711.00" : "19.915.00",
    last_seen_at: instantOf(
      jstInstant(lastSeenDay, `${hour}:${String(seed % 60).padStart(2, "0")}`),
    ),
  };
}

export async function isSeeded(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom("provider").select("id").limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Writes the demo data in one transaction. `at` is "now" (the clock module's). */
export async function seedDemo(
  db: Kysely<Database>,
  at: Date,
  options: { events?: boolean } = {},
): Promise<void> {
  const today = jstDate(at);
  const createdAt = instantOf(at);
  const hashes = await Promise.all(DEMO_ACCOUNTS.map(() => hashPassword(DEMO_PASSWORD)));

  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("provider")
      .values({
        name: "セキュアライン株式会社",
        address: "東京都千代田区大手町1-2-3 大手町セキュアタワー12F",
        phone: "0120-555-310",
        email: "billing@secureline.example",
        registration_number: "T5010001234566",
        bank_account: "みずなみ銀行 大手町支店 普通預金 1234567 口座名義 セキュアライン（カ",
      })
      .execute();

    const resellerIds = new Map<string, number>();
    for (const r of RESELLERS) {
      const { id } = await trx
        .insertInto("resellers")
        .values({ ...r, created_at: createdAt })
        .returning("id")
        .executeTakeFirstOrThrow();
      resellerIds.set(r.ref, id);
    }
    const customerIds = new Map<string, number>();
    for (const { reseller, ...c } of CUSTOMERS) {
      const { id } = await trx
        .insertInto("customers")
        .values({
          ...c,
          reseller_id: resellerIds.get(reseller) ?? null,
          created_at: createdAt,
          updated_at: createdAt,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      customerIds.set(c.ref, id);
    }

    for (const [index, k] of CONTRACTS.entries()) {
      const customer = CUSTOMERS.find((c) => c.ref === k.customer)!;
      const serviceStart = isoDate(`${addMonths(monthOf(today), -k.monthsAgo)}-${k.startDay}`);
      const terminationDate =
        k.terminatedMonthsAgo === undefined
          ? null
          : firstDayOf(addMonths(monthOf(today), -k.terminatedMonthsAgo));
      const { id: contractId } = await trx
        .insertInto("contracts")
        .values({
          ref: k.ref,
          customer_id: customerIds.get(k.customer)!,
          line_id: k.lineId,
          area: k.area,
          base_plan: "base.standard",
          service_start: serviceStart,
          status: terminationDate ? "terminated" : "active",
          termination_date: terminationDate,
          offline_threshold_minutes: 60,
          admin_email: customer.email,
          admin_phone: customer.phone,
          created_at: createdAt,
          updated_at: createdAt,
        })
        .returning("id")
        .executeTakeFirstOrThrow();

      for (const item of k.items) {
        await trx
          .insertInto("contract_items")
          .values({
            contract_id: contractId,
            code: item.code,
            quantity: item.quantity,
            ownership: item.ownership,
            repair24h: item.code.startsWith("gateway.") && item.repair24h !== false ? 1 : 0,
            from_date: serviceStart,
            to_date: terminationDate,
          })
          .execute();
      }

      const gateway = k.items.find((i) => i.code.startsWith("gateway."))!;
      const seats = k.items
        .filter((i) => i.code === "endpoint")
        .reduce((a, i) => a + i.quantity, 0);
      const lastSeen = terminationDate
        ? instantOf(jstInstant(addDays(terminationDate, -1), "17:00"))
        : instantOf(jstInstant(today, "09:00"));
      await trx
        .insertInto("devices")
        .values({
          contract_id: contractId,
          name: "GW-01",
          device_type: "gateway",
          os: `SecureGate ${gateway.code.slice("gateway.".length).toUpperCase()} firmware 5.2.1`,
          ip: `192.168.${10 + index}.1`,
          location: `${k.location} サーバーラック`,
          agent_version: null,
          pattern_version: "19.915.00",
          last_seen_at: lastSeen,
          updated_at: createdAt,
        })
        .execute();
      for (let n = 1; n <= seats; n++) {
        const pc = pcDevice(index, n, terminationDate ?? today, k.location);
        await trx
          .insertInto("devices")
          .values({ contract_id: contractId, ...pc, updated_at: createdAt })
          .execute();
      }
    }

    for (const [i, account] of DEMO_ACCOUNTS.entries()) {
      await trx
        .insertInto("users")
        .values({
          id: `demo-user-${i + 1}`,
          email: account.email,
          display_name: account.displayName,
          role: account.role,
          reseller_id: account.reseller ? resellerIds.get(account.reseller)! : null,
          customer_id: account.customer ? customerIds.get(account.customer)! : null,
          password_hash: hashes[i],
          created_at: createdAt,
          disabled_at: null,
        })
        .execute();
    }
  });
  await seedBillingHistory(db, today, at);
  await seedLicenses(db, today);
  await seedTransferRequest(db, at);
  await seedServiceNotice(db, today, at);
  if (options.events !== false) await seedSecurityEvents(db, today, at);
}

/** A transfer under review (T-10) for the operator's queue: the reseller filed it through the real function. */
async function seedTransferRequest(db: Kysely<Database>, at: Date): Promise<void> {
  const k1004 = await db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select(["contracts.id", "customers.reseller_id"])
    .where("contracts.ref", "=", "K-1004")
    .executeTakeFirstOrThrow();
  const result = await requestHolderChange(db, {
    contractId: k1004.id,
    tenant: { kind: "reseller", resellerId: k1004.reseller_id! },
    at,
    actor: { id: null, email: "reseller@demo.example" },
    ip: "",
    input: {
      kind: "transfer",
      cause: null,
      existingCustomerId: null,
      name: "株式会社かもめロジスティクス",
      address: "兵庫県神戸市中央区港島中町4-1-1",
      phone: "078-302-1100",
      email: "jimu@kamome-logistics.example",
      successors: [],
      representative: null,
      evidence: "signed_by_both",
      evidenceNote: "事業譲渡に伴う譲渡承認申請書（当事者連署）",
      consent: true,
    },
  });
  if (!result?.ok) throw new Error(`demo transfer request refused: ${JSON.stringify(result)}`);
}

/** A planned maintenance of the west area's equipment, announced ahead (T-16), through the real function. */
async function seedServiceNotice(db: Kysely<Database>, today: IsoDate, at: Date): Promise<void> {
  const day = addDays(today, 10);
  await publishServiceNotice(db, {
    at,
    actor: { id: null, email: "operator@demo.example" },
    ip: "",
    notice: {
      reason: "maintenance",
      area: "west",
      title: "西日本エリア ゲートウェイ管理サーバーの定期保守",
      body: "保守作業のあいだ、ゲートウェイの設定変更と状態メールがご利用いただけません。通信の保護（ウイルス・不正アクセスの遮断）は続きます。",
      startsAt: jstInstant(day, "01:00"),
      endsAt: jstInstant(day, "05:00"),
      emergency: false,
    },
  });
}

export function demoAccountsText(): string {
  const width = Math.max(...DEMO_ACCOUNTS.map((a) => a.email.length));
  const lines = DEMO_ACCOUNTS.map((a) => {
    const tenant = a.reseller
      ? `（販売店 ${a.reseller}）`
      : a.customer
        ? `（顧客 ${a.customer}）`
        : "";
    return `  ${a.email.padEnd(width)}  ${a.role}${tenant}`;
  });
  return [`デモアカウント（パスワードはすべて ${DEMO_PASSWORD}）:`, ...lines].join("\n");
}
