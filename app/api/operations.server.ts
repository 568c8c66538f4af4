// The partner API's incidents and applications (issue 19, item 2). Incidents have no ref of their
// own: the API addresses them by their number, the one in the console's address (/incidents/17),
// which is stable and reveals nothing another tenant could use (a foreign number is not found).
// Writes go through the console's own operations (transitionIncident, submitApplication) with
// their validation and audit; the key acts in the role of its tenant, so a reseller's key may do
// what the reseller's managers may do in the console and no more.
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/schema";
import { securityRecordInTenant } from "../auth/tenant-scope.server";
import { ApplicationForm, GATEWAY_MODELS } from "../contracts/applications";
import {
  applicationsWithRefs,
  getApplicationByRef,
  submitApplication,
} from "../contracts/applications.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import { noteField } from "../lib/fields";
import { failureMessage } from "../lib/result";
import { addIncidentNote, transitionIncident } from "../security/incidents.server";
import { notesOfIncidents, type IncidentNote } from "../security/incident-notes.server";
import {
  ApiProblem,
  decodeCursor,
  failureProblem,
  fieldErrors,
  jstIso,
  notFoundProblem,
  page,
  validationProblem,
  type ApiContext,
} from "./http.server";
import type { KeyTenant } from "./keys.server";
import type { ApiApplication, ApiIncident } from "./schemas";
import {
  bodyCustomerId,
  CreatedParams,
  PageParams,
  UpdatedParams,
  whereCreated,
  whereUpdated,
} from "./resources.server";
import { instant } from "../lib/jst";

// ---- incidents ----------------------------------------------------------------------------

export const IncidentListQuery = z.object({
  ...PageParams,
  ...CreatedParams,
  ...UpdatedParams,
  status: z
    .enum(["new", "acknowledged", "resolved"], {
      error: "status は new・acknowledged・resolved のいずれかです",
    })
    .optional()
    .describe("状態で絞り込む"),
  contract: z
    .string()
    .trim()
    .min(1)
    .max(50)
    .optional()
    .describe("契約番号で絞り込む（例: K-1001）"),
});

function incidents(db: Kysely<Database>, tenant: KeyTenant) {
  return db
    .selectFrom("incidents")
    .innerJoin("contracts", "contracts.id", "incidents.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "incidents.id",
      "incidents.kind",
      "incidents.status",
      "incidents.severity",
      "incidents.title",
      "incidents.opened_at",
      "incidents.acknowledged_at",
      "incidents.resolved_at",
      "incidents.assignee",
      "incidents.device_name",
      "incidents.updated_at",
      "contracts.ref as contract_ref",
      "customers.ref as customer_ref",
    ])
    .where(securityRecordInTenant(tenant, "incidents.opened_at"));
}

type IncidentRow = Awaited<ReturnType<ReturnType<typeof incidents>["executeTakeFirstOrThrow"]>>;

/** The partner API keeps its `notes` text: one line per note row, `<JST ISO time> <display name>: <text>`. */
function notesText(notes: readonly IncidentNote[] | undefined): string | null {
  if (!notes || notes.length === 0) return null;
  return notes.map((n) => `${jstIso(n.writtenAt)} ${n.authorName}: ${n.body}`).join("\n");
}

async function presentIncidents(db: Kysely<Database>, rows: readonly IncidentRow[]) {
  const notes = await notesOfIncidents(
    db,
    rows.map((r) => r.id),
  );
  return (i: IncidentRow) => presentIncident(i, notes.get(i.id));
}

function presentIncident(i: IncidentRow, notes: readonly IncidentNote[] | undefined): ApiIncident {
  return {
    id: i.id,
    contract: i.contract_ref,
    customer: i.customer_ref,
    kind: i.kind,
    status: i.status,
    severity: i.severity,
    title: i.title,
    device: i.device_name,
    openedAt: jstIso(i.opened_at),
    acknowledgedAt: jstIso(i.acknowledged_at),
    resolvedAt: jstIso(i.resolved_at),
    assignee: i.assignee,
    notes: notesText(notes),
    updatedAt: jstIso(i.updated_at),
  };
}

export async function listApiIncidents(
  db: Kysely<Database>,
  tenant: KeyTenant,
  query: z.output<typeof IncidentListQuery>,
) {
  const after = decodeCursor(query.cursor, ["instant", "number"]);
  // Newest first, as the console lists them; (opened_at, id) is unique.
  let q = incidents(db, tenant)
    .orderBy("incidents.opened_at", "desc")
    .orderBy("incidents.id", "desc")
    .limit(query.limit + 1);
  if (after) {
    const [openedAt, id] = [instant(String(after[0])), Number(after[1])];
    q = q.where((eb) =>
      eb.or([
        eb("incidents.opened_at", "<", openedAt),
        eb.and([eb("incidents.opened_at", "=", openedAt), eb("incidents.id", "<", id)]),
      ]),
    );
  }
  if (query.status) q = q.where("incidents.status", "=", query.status);
  if (query.contract) {
    // A foreign contract is not found, as every foreign ref is (an empty list would say it exists elsewhere no less, but differently).
    const contract = await db
      .selectFrom("contracts")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select("contracts.id")
      .where("contracts.ref", "=", query.contract)
      .where(customerInTenant(tenant))
      .executeTakeFirst();
    if (!contract) throw notFoundProblem("契約");
    q = q.where("incidents.contract_id", "=", contract.id);
  }
  q = whereCreated(q, "incidents.opened_at", query);
  q = whereUpdated(q, "incidents.updated_at", query);
  const rows = await q.execute();
  return page(rows, query.limit, (i) => [i.opened_at, i.id], await presentIncidents(db, rows));
}

export function incidentIdParam(value: string | undefined): number {
  if (!value || !/^[1-9]\d{0,15}$/.test(value)) throw notFoundProblem("インシデント");
  return Number(value);
}

export async function getApiIncident(db: Kysely<Database>, tenant: KeyTenant, id: number) {
  const i = await incidents(db, tenant).where("incidents.id", "=", id).executeTakeFirst();
  if (!i) throw notFoundProblem("インシデント");
  return (await presentIncidents(db, [i]))(i);
}

/** Who acknowledges incidents and writes their notes: the provider's operations (INCIDENT_ROLES), not a reseller. */
function requireIncidentWriter(tenant: KeyTenant): void {
  if (tenant.kind !== "provider") {
    throw new ApiProblem(
      403,
      "forbidden_role",
      "権限がありません",
      "インシデントの対応開始とメモの記入は、お客さま管理者とプロバイダーの運用担当が行います（販売店のキーではできません）。",
    );
  }
}

/** Unknown fields are refused (a typo must not pass silently); anything but an object is too. */
export const bodyError = (issue: { code?: string; keys?: string[] }) =>
  issue.code === "unrecognized_keys"
    ? `使えない項目です: ${(issue.keys ?? []).join(", ")}`
    : "本文は JSON のオブジェクトで送ってください";

const assigneeField = z.string().trim().max(100, "担当者は100文字以内で入力してください");
export const AcknowledgeBody = z
  .strictObject(
    {
      assignee: assigneeField.optional().describe("担当者（100文字まで）"),
      note: noteField("メモ").optional().describe("メモ（2,000文字まで）"),
    },
    { error: bodyError },
  )
  .meta({ id: "AcknowledgeRequest", description: "対応開始" });
export const NoteBody = z
  .strictObject(
    { note: noteField("メモ", { required: true }).describe("メモ（2,000文字まで）") },
    { error: bodyError },
  )
  .meta({ id: "NoteRequest", description: "メモの追加" });

export function parseBody<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationProblem(fieldErrors(parsed.error));
  return parsed.data;
}

export async function acknowledgeApiIncident(db: Kysely<Database>, ctx: ApiContext, id: number) {
  const body = parseBody(AcknowledgeBody, await ctx.json());
  const tenant = ctx.caller.tenant;
  requireIncidentWriter(tenant);
  const result = await transitionIncident(db, {
    id,
    tenant,
    to: "acknowledged",
    assignee: body.assignee ?? "",
    notes: body.note ?? "",
    at: ctx.at,
    actor: ctx.caller.actor,
    ip: ctx.ip,
  });
  if (!result.ok && result.kind === "not_found") throw notFoundProblem("インシデント");
  if (!result.ok)
    throw new ApiProblem(409, "conflict", "対応開始にできません", failureMessage(result));
  return getApiIncident(db, tenant, id);
}

export async function noteApiIncident(db: Kysely<Database>, ctx: ApiContext, id: number) {
  const body = parseBody(NoteBody, await ctx.json());
  const tenant = ctx.caller.tenant;
  requireIncidentWriter(tenant);
  const added = await addIncidentNote(db, {
    id,
    tenant,
    note: body.note,
    at: ctx.at,
    actor: ctx.caller.actor,
    ip: ctx.ip,
  });
  if (!added.ok) throw notFoundProblem("インシデント");
  return getApiIncident(db, tenant, id);
}

// ---- applications -------------------------------------------------------------------------

/** A field the body must have, with the console's message when it is missing. */
const given = (label: string) =>
  z.string({
    error: (issue) =>
      issue.input === undefined
        ? `${label}を入力してください`
        : `${label}は文字列で指定してください`,
  });

/** JSON types first; the values then pass the console's own form schema (ApplicationForm) for its rules. */
export const ApplicationBody = z
  .strictObject(
    {
      customer: z
        .string({ error: "customer は顧客番号の文字列で指定してください" })
        .optional()
        .describe(
          "既存のお客さまの顧客番号（例: C1）。省略すると契約者情報で新しいお客さまとして申し込みます",
        ),
      holderName: given("契約者名").describe("契約者名（法人名）、200文字まで"),
      holderAddress: given("住所").describe("住所、200文字まで"),
      holderPhone: given("電話番号").describe("電話番号（数字とハイフン）"),
      holderEmail: given("メールアドレス").describe("承認のお知らせの宛先"),
      lineId: given("回線ID").describe(
        "フレッツ回線のお客さまID（CAF または COP に続く7〜10桁の数字。例: COP1234567）",
      ),
      area: z
        .enum(["east", "west"], { error: "エリアは east か west で指定してください" })
        .describe("east: 東日本、west: 西日本"),
      endpointSeats: z
        .number({ error: "エンドポイントの台数は整数で指定してください" })
        .describe("エンドポイントの台数（0〜1000）"),
      endpointOwnership: z.enum(["rental", "purchased"], {
        error: "エンドポイントの区分は rental か purchased で指定してください",
      }),
      gatewayModel: z
        .enum(GATEWAY_MODELS, {
          error: `ゲートウェイのモデルは ${GATEWAY_MODELS.join("、")} のいずれかか null で指定してください`,
        })
        .nullable()
        .optional()
        .describe("ゲートウェイを申し込まないときは省略か null"),
      gatewayOwnership: z
        .enum(["rental", "purchased"], {
          error: "ゲートウェイの区分は rental か purchased で指定してください",
        })
        .optional()
        .describe("ゲートウェイを申し込むときは必須"),
      gatewayRepair24h: z
        .boolean({ error: "gatewayRepair24h は true か false で指定してください" })
        .optional()
        .describe("24時間修理対応"),
      wishedStart: given("利用開始希望日").describe("利用開始希望日（YYYY-MM-DD）"),
      consent: z
        .boolean({ error: "consent は true か false で指定してください" })
        .describe("お客さまが個人情報の取扱いに同意したこと。true でなければ受け付けません"),
    },
    { error: bodyError },
  )
  .meta({
    id: "ApplicationRequest",
    description: "お申し込みの内容（コンソールの申込フォームと同じ検証）",
  });

/** The form's field names as the API names them. */
const API_FIELD: Record<string, string> = { customerId: "customer" };
/** Field errors keyed as the API's body names the fields. */
const apiFields = (errors: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(errors).map(([k, v]) => [API_FIELD[k] ?? k, v ?? ""]));

type ApplicationRow = NonNullable<Awaited<ReturnType<typeof getApplicationByRef>>>;

function presentApplication(a: ApplicationRow): ApiApplication {
  return {
    ref: a.ref,
    status: a.status,
    customer: a.customer_ref,
    holderName: a.holder_name,
    holderAddress: a.holder_address,
    holderPhone: a.holder_phone,
    holderEmail: a.holder_email,
    lineId: a.line_id,
    area: a.area,
    basePlan: a.base_plan,
    endpointSeats: a.endpoint_seats,
    endpointOwnership: a.endpoint_ownership,
    gatewayModel: a.gateway_model,
    gatewayOwnership: a.gateway_ownership,
    gatewayRepair24h: a.gateway_repair24h === 1,
    wishedStart: a.wished_start,
    serviceStart: a.service_start,
    contract: a.contract_ref,
    createdAt: jstIso(a.created_at),
    decidedAt: jstIso(a.decided_at),
    updatedAt: jstIso(a.updated_at),
  };
}

export const ApplicationListQuery = z.object({
  ...PageParams,
  ...CreatedParams,
  ...UpdatedParams,
  status: z
    .enum(["applied", "approved", "rejected", "revoked"], {
      error: "status は applied・approved・rejected・revoked のいずれかです",
    })
    .optional()
    .describe("状態で絞り込む"),
});

/** The tenant's applications, newest first (the ref's number grows with the id). */
export async function listApiApplications(
  db: Kysely<Database>,
  tenant: KeyTenant,
  query: z.output<typeof ApplicationListQuery>,
) {
  const after = decodeCursor(query.cursor, ["string"]);
  let q = applicationsWithRefs(db, tenant)
    .orderBy("applications.ref", "desc")
    .limit(query.limit + 1);
  if (after) q = q.where("applications.ref", "<", String(after[0]));
  if (query.status) q = q.where("applications.status", "=", query.status);
  q = whereCreated(q, "applications.created_at", query);
  q = whereUpdated(q, "applications.updated_at", query);
  return page(await q.execute(), query.limit, (a) => [a.ref], presentApplication);
}

export async function getApiApplication(db: Kysely<Database>, tenant: KeyTenant, ref: string) {
  const a = await getApplicationByRef(db, { ref, tenant });
  if (!a) throw notFoundProblem("お申し込み");
  return presentApplication(a);
}

export async function submitApiApplication(db: Kysely<Database>, ctx: ApiContext) {
  const tenant = ctx.caller.tenant;
  if (tenant.kind !== "reseller") {
    throw new ApiProblem(
      403,
      "forbidden_role",
      "権限がありません",
      "お申し込みは販売店またはお客さまが行います（規約第7条）。販売店のキーを使ってください。",
    );
  }
  const body = parseBody(ApplicationBody, await ctx.json());
  let customerId = "";
  if (body.customer) {
    customerId = String(await bodyCustomerId(db, tenant, body.customer));
  }
  const form = {
    customerId,
    holderName: body.holderName,
    holderAddress: body.holderAddress,
    holderPhone: body.holderPhone,
    holderEmail: body.holderEmail,
    lineId: body.lineId,
    area: body.area,
    endpointSeats: String(body.endpointSeats),
    endpointOwnership: body.endpointOwnership,
    gatewayModel: body.gatewayModel ?? "",
    gatewayOwnership: body.gatewayOwnership ?? (body.gatewayModel ? "" : "rental"),
    gatewayRepair24h: body.gatewayRepair24h ? "on" : undefined,
    wishedStart: body.wishedStart,
    consent: body.consent ? "yes" : "",
  };
  const parsed = ApplicationForm.safeParse(form);
  if (!parsed.success) throw validationProblem(apiFields(fieldErrors(parsed.error)));
  const result = await submitApplication(db, {
    tenant,
    input: parsed.data,
    at: ctx.at,
    actor: ctx.caller.actor,
    ip: ctx.ip,
  });
  if (!result.ok) {
    if (result.kind === "validation") throw validationProblem(apiFields(result.fields));
    throw failureProblem(result, { what: "お客さま", title: "お申し込みを受け付けられません" });
  }
  const created = await db
    .selectFrom("applications")
    .select("ref")
    .where("id", "=", result.value.id)
    .executeTakeFirstOrThrow();
  return getApiApplication(db, tenant, created.ref);
}
