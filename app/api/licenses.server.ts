// The partner API's licences (issue 19, item 2; the code's spelling): the list and one licence by
// its ref, ISP provisioning of security — apply (create) and cancel (end, on the last day of the
// month, L-4) — and the customer's main ISP services, recorded as `licenses main-service` records
// them (L-4: security ends with the last of them). Every change goes through the console's own
// operations (applyIspSecurity, cancelIspContract, recordMainService) with their rules and audit;
// nothing here decides a licence rule.
import { formatYen } from "../lib/format";
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import { ISP_PRODUCTS, type IspProductCode } from "../licenses/isp-bundle";
import { applyIspSecurity, cancelIspContract } from "../licenses/isp.server";
import { getLicenseByRef } from "../licenses/licenses.server";
import { getLicenseView } from "../licenses/license-views.server";
import { listMainServices, type MainServiceView } from "../licenses/main-service-views.server";
import { mainServiceRecordJson, recordMainService } from "../licenses/main-services.server";
import type { MainServiceField } from "../licenses/main-services";
import { jstDate } from "../lib/jst";
import { failureMessage, invalid } from "../lib/result";
import {
  ApiProblem,
  decodeCursor,
  failureProblem,
  jstIso,
  notFoundProblem,
  page,
  validationProblem,
  type ApiContext,
} from "./http.server";
import { sha256Hex, type KeyTenant } from "./keys.server";
import { bodyError, parseBody } from "./operations.server";
import {
  CreatedParams,
  bodyCustomerId,
  customerIdOf,
  PageParams,
  refParam,
  UpdatedParams,
  whereCreated,
  whereUpdated,
} from "./resources.server";
import type { ApiLicense, ApiLicenseDetail, ApiMainService, ApiMainServiceResult } from "./schemas";

const CHANNELS = ["vendor_store", "isp", "carrier_provider", "reseller", "app_store"] as const;

export const LicenseListQuery = z.object({
  ...PageParams,
  ...CreatedParams,
  ...UpdatedParams,
  customer: refParam("customer").describe("顧客番号で絞り込む（例: C1）"),
  channel: z
    .enum(CHANNELS, { error: `channel は ${CHANNELS.join("・")} のいずれかです` })
    .optional()
    .describe("販売経路で絞り込む"),
  state: z
    .enum(["active", "cancelled", "expired"], {
      error: "state は active・cancelled・expired のいずれかです",
    })
    .optional()
    .describe("記録上の状態で絞り込む"),
});

function licenses(db: Kysely<Database>, tenant: KeyTenant) {
  return db
    .selectFrom("licenses")
    .innerJoin("customers", "customers.id", "licenses.customer_id")
    .leftJoin("licenses as main", "main.id", "licenses.main_license_id")
    .select([
      "licenses.id",
      "licenses.ref",
      "licenses.product",
      "licenses.channel",
      "licenses.term",
      "licenses.kind",
      "licenses.seats",
      "licenses.price_yen",
      "licenses.state",
      "licenses.renewal_state",
      "licenses.cancelled_on",
      "licenses.effective_end",
      "licenses.created_at",
      "licenses.updated_at",
      "customers.ref as customer_ref",
      "main.ref as main_ref",
    ])
    .where(customerInTenant(tenant));
}

type LicenseRow = Awaited<ReturnType<ReturnType<typeof licenses>["executeTakeFirstOrThrow"]>>;

function presentLicense(l: LicenseRow): ApiLicense {
  return {
    ref: l.ref,
    customer: l.customer_ref,
    product: l.product,
    channel: l.channel,
    term: l.term,
    kind: l.kind,
    seats: l.seats,
    priceYen: l.price_yen,
    mainLicense: l.main_ref,
    state: l.state,
    renewalState: l.renewal_state,
    cancelledOn: l.cancelled_on,
    effectiveEnd: l.effective_end,
    createdAt: jstIso(l.created_at),
    updatedAt: jstIso(l.updated_at),
  };
}

export async function listApiLicenses(
  db: Kysely<Database>,
  tenant: KeyTenant,
  query: z.output<typeof LicenseListQuery>,
) {
  const after = decodeCursor(query.cursor, ["string"]);
  let q = licenses(db, tenant)
    .orderBy("licenses.ref")
    .limit(query.limit + 1);
  if (after) q = q.where("licenses.ref", ">", String(after[0]));
  if (query.customer)
    q = q.where("licenses.customer_id", "=", await customerIdOf(db, tenant, query.customer));
  if (query.channel) q = q.where("licenses.channel", "=", query.channel);
  if (query.state) q = q.where("licenses.state", "=", query.state);
  q = whereCreated(q, "licenses.created_at", query);
  q = whereUpdated(q, "licenses.updated_at", query);
  return page(await q.execute(), query.limit, (l) => [l.ref], presentLicense);
}

function presentMainService(m: MainServiceView): ApiMainService {
  return {
    service: m.serviceRef,
    kind: m.kind,
    name: m.name,
    status: m.status,
    lastDay: m.lastDay,
    recordedAt: jstIso(m.recordedAt),
  };
}

/** One licence with what the console's licence page shows of it today (the L-6 overview, L-4 ISP contract). */
export async function getApiLicense(
  db: Kysely<Database>,
  tenant: KeyTenant,
  ref: string,
  at: Date,
): Promise<ApiLicenseDetail> {
  const found = await getLicenseByRef(db, { ref, tenant });
  if (!found) throw notFoundProblem("ライセンス");
  const view = await getLicenseView(db, { id: found.target.record.id, tenant }, jstDate(at));
  const row = await licenses(db, tenant)
    .where("licenses.id", "=", found.target.record.id)
    .executeTakeFirst();
  if (!view || !row) throw notFoundProblem("ライセンス");
  const o = view.overview;
  return {
    ...presentLicense(row),
    displayState: o.displayState,
    endsOn: o.status.state !== "active" ? o.status.effectiveEnd : (o.term?.end ?? null),
    nextRenewal: o.nextRenewal,
    addOns: o.addOns.map((a) => a.ref),
    isp: o.isp
      ? {
          contractNumber: o.isp.contractNumber,
          pin: o.isp.pin,
          product: o.isp.product,
          devices: o.isp.devices,
          monthlyYen: o.isp.monthlyYenTaxIncluded,
          appliedOn: o.isp.appliedOn,
          status: o.isp.status,
          cancellation: o.isp.cancellation,
          endedOn: o.isp.endedOn,
        }
      : null,
    mainServices: view.mainServices.map(presentMainService),
  };
}

// ---- ISP provisioning (L-4) ---------------------------------------------------------------

const PRODUCT_CODES = Object.keys(ISP_PRODUCTS) as [IspProductCode, ...IspProductCode[]];

export const IspApplicationBody = z
  .strictObject(
    {
      customer: z
        .string({
          error: (issue) =>
            issue.input === undefined
              ? "お客さまの顧客番号を指定してください"
              : "customer は顧客番号の文字列で指定してください",
        })
        .describe("顧客番号（例: C1）"),
      product: z
        .enum(PRODUCT_CODES, { error: `product は ${PRODUCT_CODES.join("・")} のいずれかです` })
        .describe(
          PRODUCT_CODES.map(
            (c) =>
              `${c}: ${ISP_PRODUCTS[c].name}（月額${formatYen(ISP_PRODUCTS[c].monthlyYenTaxIncluded)}、${ISP_PRODUCTS[c].maxDevices}台まで）`,
          ).join("、"),
        ),
      devices: z
        .number({ error: "ご利用端末台数は整数で指定してください" })
        .describe("ご利用端末台数"),
    },
    { error: bodyError },
  )
  .meta({ id: "IspApplicationRequest", description: "ISPセキュリティの申込み（L-4）" });

/**
 * The console's ISP form carries a key made when the form is shown, and a unique index on it makes
 * a second submission return the first contract (decision 0007). Through the API that key is the
 * request's Idempotency-Key, per API key: so a retry finds its contract even after the stored
 * answer of the replay table is gone. Without the header each request is a new application.
 */
function ispKeyOf(ctx: ApiContext): string {
  return ctx.idempotencyKey === null
    ? randomUUID()
    : `api-${ctx.caller.keyId}-${sha256Hex(ctx.idempotencyKey).slice(0, 40)}`;
}

export async function applyApiIspSecurity(
  db: Kysely<Database>,
  ctx: ApiContext,
): Promise<{ created: boolean; license: ApiLicenseDetail }> {
  const tenant = ctx.caller.tenant;
  const body = parseBody(IspApplicationBody, await ctx.json());
  const customerId = await bodyCustomerId(db, tenant, body.customer);
  // A retry after the replay table's answer was pruned finds the contract its key made
  // (applyIspSecurity answers created: false).
  const result = await applyIspSecurity(db, {
    input: {
      idempotencyKey: ispKeyOf(ctx),
      customerId,
      product: body.product,
      devices: body.devices,
    },
    tenant,
    on: jstDate(ctx.at),
    actor: ctx.caller.actor,
    ip: ctx.ip,
  });
  if (!result.ok) {
    if (result.kind === "not_found")
      throw validationProblem({ customer: `お客さま ${body.customer} が見つかりません` });
    if (result.kind === "validation") throw validationProblem({ devices: failureMessage(result) });
    throw new ApiProblem(409, "conflict", "お申込みを受け付けられません", result.message);
  }
  const ref = (
    await db
      .selectFrom("licenses")
      .select("ref")
      .where("id", "=", result.value.licenseId)
      .executeTakeFirstOrThrow()
  ).ref;
  return { created: result.value.created, license: await getApiLicense(db, tenant, ref, ctx.at) };
}

export const IspEndBody = z
  .strictObject({}, { error: bodyError })
  .meta({ id: "IspEndRequest", description: "ISPセキュリティの解約（本文は空のオブジェクト）" });

/** L-4 cancellation: effective on the last day of this month (JST), as the licence page's button does. */
export async function endApiIspSecurity(
  db: Kysely<Database>,
  ctx: ApiContext,
  ref: string,
): Promise<ApiLicenseDetail> {
  const tenant = ctx.caller.tenant;
  parseBody(IspEndBody, await ctx.json());
  const found = await getLicenseByRef(db, { ref, tenant });
  if (!found) throw notFoundProblem("ライセンス");
  const result = await cancelIspContract(db, {
    id: found.target.record.id,
    tenant,
    on: jstDate(ctx.at),
    actor: ctx.caller.actor,
    ip: ctx.ip,
  });
  if (!result.ok) {
    if (result.kind === "not_found") throw notFoundProblem("ライセンス");
    throw new ApiProblem(409, "conflict", "解約できません", failureMessage(result));
  }
  return getApiLicense(db, tenant, ref, ctx.at);
}

// ---- main ISP services (L-4) --------------------------------------------------------------

export async function listApiMainServices(
  db: Kysely<Database>,
  tenant: KeyTenant,
  customerRef: string,
): Promise<{ data: ApiMainService[] }> {
  const customerId = await customerIdOf(db, tenant, customerRef);
  return { data: (await listMainServices(db, tenant, { customerId })).map(presentMainService) };
}

const optionalText = (name: string) =>
  z
    .string({ error: `${name} は文字列で指定してください` })
    .nullable()
    .optional();

export const MainServiceBody = z
  .strictObject(
    {
      service: z
        .string({
          error: (issue) =>
            issue.input === undefined
              ? "サービス番号（回線番号など）を入力してください"
              : "service は文字列で指定してください",
        })
        .describe("主契約の番号（英数字とハイフン、40文字まで）"),
      status: z
        .string({
          error: (issue) =>
            issue.input === undefined
              ? "状態（ご利用中・休止・解約）を選んでください"
              : "status は文字列で指定してください",
        })
        .describe("active: ご利用中、suspended: 休止、ended: 解約"),
      lastDay: optionalText("lastDay").describe("休止・解約の最終利用日（YYYY-MM-DD）"),
      kind: optionalText("kind").describe("internet・tv・phone・other（新しい主契約では必須）"),
      name: optionalText("name").describe("サービス名（60文字まで）"),
    },
    { error: bodyError },
  )
  .meta({
    id: "MainServiceRequest",
    description: "ISPの主契約の状態の記録（licenses main-service コマンドと同じ）",
  });

const API_FIELD: Record<MainServiceField, string> = {
  serviceRef: "service",
  kind: "kind",
  name: "name",
  status: "status",
  lastDay: "lastDay",
};

/** Records one main service as of today (JST), ending the customer's ISP security when none is left (L-4). */
export async function recordApiMainService(
  db: Kysely<Database>,
  ctx: ApiContext,
  customerRef: string,
): Promise<ApiMainServiceResult> {
  const tenant = ctx.caller.tenant;
  const body = parseBody(MainServiceBody, await ctx.json());
  const customerId = await customerIdOf(db, tenant, customerRef);
  const result = await recordMainService(db, {
    customerId,
    tenant,
    on: jstDate(ctx.at),
    actor: ctx.caller.actor,
    ip: ctx.ip,
    input: {
      serviceRef: body.service,
      kind: body.kind ?? undefined,
      name: body.name ?? undefined,
      status: body.status,
      lastDay: body.lastDay ?? undefined,
    },
  });
  if (!result.ok) {
    // The shared checks name the form's fields; the API answers with its body's names.
    const failure =
      result.kind === "validation"
        ? invalid(
            Object.fromEntries(
              Object.entries(result.fields).map(([field, message]) => [
                API_FIELD[field as MainServiceField],
                message,
              ]),
            ),
          )
        : result;
    throw failureProblem(failure, { what: "顧客", title: "記録できません" });
  }
  return mainServiceRecordJson(result.value);
}
