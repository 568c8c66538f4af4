// What the partner API answers, as zod schemas (issue 19, item 3): the presenters in
// resources.server.ts and operations.server.ts are typed by them, the OpenAPI document
// (openapi.server.ts) is generated from them with z.toJSONSchema, and the HTTP tests parse real
// answers with them, so the document cannot drift from the answers. Pure: no server code.
import { z } from "zod";

const instant = z.string().describe("日時（ISO 8601、+09:00。例: 2026-12-01T09:00:00+09:00）");
const date = z.string().describe("日付（YYYY-MM-DD）");
const yen = z.number().int().describe("金額（円、整数）");
const updated = instant.nullable().describe("最後に変更された日時（ISO 8601、+09:00）");

export const CustomerSchema = z
  .strictObject({
    ref: z.string().describe("顧客番号（例: C1）"),
    name: z.string(),
    email: z.string(),
    phone: z.string(),
    address: z.string(),
    reseller: z.string().nullable().describe("販売店番号（直販は null）"),
    createdAt: instant.nullable(),
    updatedAt: updated,
  })
  .meta({ id: "Customer", description: "顧客" });

export const TerminationQuoteSchema = z
  .strictObject({
    terminationDate: date.describe("解約日（T-20）"),
    chargedMonths: z.number().int().describe("課金月数"),
    remainingMonths: z.number().int().describe("残りの月数"),
    etfYen: yen.describe("解約違約金（円、不課税）"),
    feeFreeDate: date.describe("違約金がかからない最も近い日"),
  })
  .meta({
    id: "TerminationQuote",
    description: "解約の見積り（CLI の contracts -- quote-termination と同じ計算）",
  });

export const ContractSchema = z
  .strictObject({
    ref: z.string().describe("契約番号（例: K-1001）"),
    customer: z.string().describe("顧客番号"),
    lineId: z.string().describe("回線ID"),
    area: z.enum(["east", "west"]),
    basePlan: z.string(),
    serviceStart: date,
    status: z.enum(["active", "suspended", "terminated"]),
    terminationDate: date.nullable(),
    createdAt: instant.nullable(),
    updatedAt: updated,
  })
  .meta({ id: "Contract", description: "契約" });

export const ContractDetailSchema = ContractSchema.extend({
  items: z.array(
    z.strictObject({
      code: z.string(),
      quantity: z.number().int(),
      ownership: z.enum(["rental", "purchased"]),
      repair24h: z.boolean(),
      from: date,
      to: date.nullable(),
    }),
  ),
  terminationQuote: TerminationQuoteSchema.optional().describe(
    "terminationWished を指定したときだけ",
  ),
}).meta({ id: "ContractDetail", description: "契約（明細と、指定があれば解約の見積り）" });

export const InvoiceSchema = z
  .strictObject({
    number: z.string().describe("請求書番号（例: INV-00000001）"),
    contract: z.string(),
    customer: z.string(),
    billingMonth: z.string().describe("請求月（YYYY-MM）"),
    issueDate: date,
    dueDate: date,
    taxable10Yen: yen,
    tax10Yen: yen,
    nonTaxableYen: yen,
    interestYen: yen,
    totalYen: yen,
    issuedAt: instant.nullable(),
  })
  .meta({ id: "Invoice", description: "請求書" });

export const InvoiceDetailSchema = InvoiceSchema.extend({
  lines: z.array(
    z.strictObject({
      description: z.string(),
      quantity: z.number(),
      unitPriceYen: yen,
      amountYen: yen,
      taxCategory: z.string(),
      rule: z.string(),
    }),
  ),
  creditedYen: yen,
  paidYen: yen,
  outstandingYen: yen,
  paymentState: z.enum(["unpaid", "partial", "paid"]),
  overdue: z.boolean(),
  payments: z.array(
    z.strictObject({ paidOn: date, amountYen: yen.nullable().describe("null は全額の入金") }),
  ),
  creditNotes: z.array(
    z.strictObject({ number: z.string(), issueDate: date, totalYen: yen, reason: z.string() }),
  ),
}).meta({ id: "InvoiceDetail", description: "請求書（明細・入金・赤伝）" });

export const IncidentSchema = z
  .strictObject({
    id: z.number().int().describe("インシデント番号（コンソールのアドレスの番号）"),
    contract: z.string(),
    customer: z.string(),
    kind: z.string(),
    status: z.enum(["new", "acknowledged", "resolved"]),
    severity: z.string(),
    title: z.string(),
    device: z.string().nullable(),
    openedAt: instant.nullable(),
    acknowledgedAt: instant.nullable(),
    resolvedAt: instant.nullable(),
    assignee: z.string().nullable(),
    notes: z.string().nullable(),
    updatedAt: updated,
  })
  .meta({ id: "Incident", description: "インシデント" });

export const ApplicationSchema = z
  .strictObject({
    ref: z.string().describe("申込番号（例: APP-000001）"),
    status: z.enum(["applied", "approved", "rejected", "revoked"]),
    customer: z.string().nullable(),
    holderName: z.string(),
    holderAddress: z.string(),
    holderPhone: z.string(),
    holderEmail: z.string(),
    lineId: z.string(),
    area: z.enum(["east", "west"]),
    basePlan: z.string(),
    endpointSeats: z.number().int(),
    endpointOwnership: z.string(),
    gatewayModel: z.string().nullable(),
    gatewayOwnership: z.string().nullable(),
    gatewayRepair24h: z.boolean(),
    wishedStart: date,
    serviceStart: date.nullable(),
    contract: z.string().nullable().describe("承認後の契約番号"),
    createdAt: instant.nullable(),
    decidedAt: instant.nullable(),
    updatedAt: updated,
  })
  .meta({ id: "Application", description: "お申し込み（規約第7条）" });

export const DeviceSchema = z
  .strictObject({
    contract: z.string().describe("契約番号（例: K-1001）"),
    name: z.string().describe("機器名（契約の中で一意。例: PC-001）"),
    customer: z.string().describe("顧客番号"),
    type: z.enum(["pc", "server", "gateway", "smartphone", "tablet"]),
    os: z.string(),
    ip: z.string(),
    location: z.string(),
    agentVersion: z.string().nullable(),
    patternVersion: z.string().nullable(),
    lastSeenAt: instant.nullable().describe("最後に通信した日時"),
    updatedAt: updated,
  })
  .meta({ id: "Device", description: "機器（契約番号と機器名で指定）" });

export const CreditNoteSchema = z
  .strictObject({
    number: z.string().describe("赤伝番号（適格返還請求書の番号）"),
    invoice: z.string().describe("元の請求書番号"),
    contract: z.string(),
    customer: z.string(),
    issueDate: date,
    reason: z.string(),
    taxable10Yen: yen,
    tax10Yen: yen,
    nonTaxableYen: yen,
    totalYen: yen.describe("返還額の合計（円、正の整数）"),
    issuedAt: instant.nullable(),
  })
  .meta({ id: "CreditNote", description: "赤伝（適格返還請求書）" });

export const CreditNoteDetailSchema = CreditNoteSchema.extend({
  lines: z.array(
    z.strictObject({
      description: z.string(),
      rule: z.string(),
      amountYen: yen.describe("返還額（円、正の整数）"),
      taxCategory: z.string(),
    }),
  ),
}).meta({ id: "CreditNoteDetail", description: "赤伝（明細付き）" });

export const ThreatReportSchema = z
  .strictObject({
    id: z.number().int().describe("レポート番号（コンソールのアドレスの番号）"),
    contract: z.string(),
    customer: z.string(),
    month: z.string().describe("対象月（YYYY-MM）"),
    kind: z.enum(["monthly", "on_demand"]).describe("monthly: 月次、on_demand: コンソールで作成"),
    createdAt: instant.nullable(),
  })
  .meta({ id: "ThreatReport", description: "脅威レポート（PDF は /threat-reports/{id}/pdf）" });

const ispContract = z.strictObject({
  contractNumber: z.string().describe("ISPの契約番号（10桁）"),
  pin: z.string().describe("インストールに使うPIN"),
  product: z.string(),
  devices: z.number().int(),
  monthlyYen: yen.describe("月額（円、税込）"),
  appliedOn: date,
  status: z.enum(["active", "cancellation_pending", "ended"]),
  cancellation: z.strictObject({ requestedOn: date, effectiveEnd: date }).nullable(),
  endedOn: date.nullable().describe("主契約の終了で自動解約された最終日（L-4）"),
});

export const LicenseSchema = z
  .strictObject({
    ref: z.string().describe("ライセンス番号（例: L-0001、ISP-1234567890）"),
    customer: z.string(),
    product: z.string(),
    channel: z.enum(["vendor_store", "isp", "carrier_provider", "reseller", "app_store"]),
    term: z.enum(["annual", "monthly"]),
    kind: z.enum(["standard", "service", "trial"]),
    seats: z.number().int(),
    priceYen: yen,
    mainLicense: z.string().nullable().describe("アドオンのときは親ライセンスの番号"),
    state: z.enum(["active", "cancelled", "expired"]),
    renewalState: z.enum(["active", "stop_requested", "stopped"]),
    cancelledOn: date.nullable(),
    effectiveEnd: date.nullable(),
    createdAt: instant.nullable(),
    updatedAt: updated,
  })
  .meta({ id: "License", description: "ライセンス" });

export const MainServiceSchema = z
  .strictObject({
    service: z.string().describe("主契約の番号（ISPの回線・サービス番号）"),
    kind: z.enum(["internet", "tv", "phone", "other"]),
    name: z.string().nullable(),
    status: z.enum(["active", "suspended", "ended"]),
    lastDay: date.nullable().describe("休止・解約の最終利用日"),
    recordedAt: instant.nullable(),
  })
  .meta({ id: "MainService", description: "ISPの主契約（L-4）" });

export const LicenseDetailSchema = LicenseSchema.extend({
  displayState: z
    .enum([
      "active",
      "stop_requested",
      "stopped_running",
      "cancelled_running",
      "isp_cancel_pending",
      "ended",
    ])
    .describe(
      "今日の状態（active: 自動延長中、stop_requested: 自動延長の停止手続き中、stopped_running: 期間の終わりまで利用可、cancelled_running: 解約済み・終了日まで利用可、isp_cancel_pending: ISPの解約予約中（月末まで取消可）、ended: 終了）",
    ),
  endsOn: date
    .nullable()
    .describe("利用できる最終日（解約済みは終了日、それ以外は今の期間の終わり）"),
  nextRenewal: z.strictObject({ date, amountYen: yen }).nullable(),
  addOns: z.array(z.string()).describe("アドオンのライセンス番号"),
  isp: ispContract.nullable().describe("コンソールで申し込んだISP契約（L-4）"),
  mainServices: z.array(MainServiceSchema).describe("ISPライセンスのとき: お客さまの主契約（L-4）"),
}).meta({ id: "LicenseDetail", description: "ライセンス（状態・ISP契約・主契約）" });

export const MainServiceResultSchema = z
  .strictObject({
    customer: z.string(),
    service: z.string().describe("主契約の番号"),
    kind: z.enum(["internet", "tv", "phone", "other"]),
    name: z.string().nullable(),
    status: z.enum(["active", "suspended", "ended"]),
    lastDay: date.nullable(),
    created: z.boolean().describe("初めて記録した主契約なら true"),
    ended: z
      .array(
        z.strictObject({
          customerRef: z.string(),
          contractNumber: z.string(),
          licenseRef: z.string().nullable(),
          endedOn: date,
        }),
      )
      .describe("この記録で自動解約されたISPセキュリティ（L-4）"),
  })
  .meta({
    id: "MainServiceResult",
    description: "主契約の記録の結果（licenses main-service コマンドの JSON と同じ）",
  });

export const ProblemSchema = z
  .object({
    type: z.string(),
    status: z.number().int(),
    title: z.string().describe("日本語の見出し"),
    code: z
      .string()
      .describe(
        "機械向けの安定したコード（unauthorized, forbidden_scope, forbidden_role, not_found, validation_failed, invalid_json, invalid_cursor, conflict, rate_limited, idempotency_conflict, idempotency_in_progress, method_not_allowed, internal_error）",
      ),
    detail: z.string().optional().describe("日本語の説明"),
    instance: z.string(),
    errors: z
      .record(z.string(), z.string())
      .optional()
      .describe("validation_failed のとき: 項目ごとの日本語のメッセージ"),
  })
  .meta({ id: "Problem", description: "エラー（RFC 9457 problem details）" });

export function pageOf<S extends z.ZodType>(item: S) {
  return z.strictObject({
    data: z.array(item),
    nextCursor: z.string().nullable().describe("次のページの cursor（最後のページでは null）"),
  });
}

export type ApiCustomer = z.infer<typeof CustomerSchema>;
export type ApiContract = z.infer<typeof ContractSchema>;
export type ApiContractDetail = z.infer<typeof ContractDetailSchema>;
export type ApiInvoice = z.infer<typeof InvoiceSchema>;
export type ApiInvoiceDetail = z.infer<typeof InvoiceDetailSchema>;
export type ApiIncident = z.infer<typeof IncidentSchema>;
export type ApiApplication = z.infer<typeof ApplicationSchema>;
export type ApiDevice = z.infer<typeof DeviceSchema>;
export type ApiCreditNote = z.infer<typeof CreditNoteSchema>;
export type ApiCreditNoteDetail = z.infer<typeof CreditNoteDetailSchema>;
export type ApiThreatReport = z.infer<typeof ThreatReportSchema>;
export type ApiLicense = z.infer<typeof LicenseSchema>;
export type ApiLicenseDetail = z.infer<typeof LicenseDetailSchema>;
export type ApiMainService = z.infer<typeof MainServiceSchema>;
export type ApiMainServiceResult = z.infer<typeof MainServiceResultSchema>;
