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
import { ApplicationForm } from "../contracts/applications";
import { getApplicationByRef, submitApplication } from "../contracts/applications.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import { noteField } from "../lib/fields";
import { addIncidentNote, transitionIncident } from "../security/incidents.server";
import { ApiProblem, decodeCursor, fieldErrors, jstIso, notFoundProblem, page, validationProblem, type ApiContext } from "./http.server";
import type { KeyTenant } from "./keys.server";
import { CreatedParams, PageParams } from "./resources.server";

// ---- incidents ----------------------------------------------------------------------------

export const IncidentListQuery = z.object({
  ...PageParams, ...CreatedParams,
  status: z.enum(["new", "acknowledged", "resolved"], { error: "status は new・acknowledged・resolved のいずれかです" }).optional(),
  contract: z.string().trim().min(1).max(50).optional(),
});

function incidents(db: Kysely<Database>, tenant: KeyTenant) {
  return db.selectFrom("incidents").innerJoin("contracts", "contracts.id", "incidents.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select(["incidents.id", "incidents.kind", "incidents.status", "incidents.severity", "incidents.title", "incidents.opened_at",
      "incidents.acknowledged_at", "incidents.resolved_at", "incidents.assignee", "incidents.notes", "incidents.device_name",
      "contracts.ref as contract_ref", "customers.ref as customer_ref"])
    .where(securityRecordInTenant(tenant, "incidents.opened_at"));
}

type IncidentRow = Awaited<ReturnType<ReturnType<typeof incidents>["executeTakeFirstOrThrow"]>>;

function presentIncident(i: IncidentRow) {
  return {
    id: i.id, contract: i.contract_ref, customer: i.customer_ref, kind: i.kind, status: i.status, severity: i.severity, title: i.title,
    device: i.device_name, openedAt: jstIso(i.opened_at), acknowledgedAt: jstIso(i.acknowledged_at), resolvedAt: jstIso(i.resolved_at),
    assignee: i.assignee, notes: i.notes,
  };
}

export async function listApiIncidents(db: Kysely<Database>, tenant: KeyTenant, query: z.output<typeof IncidentListQuery>) {
  const after = decodeCursor(query.cursor, ["string", "number"]);
  // Newest first, as the console lists them; (opened_at, id) is unique.
  let q = incidents(db, tenant).orderBy("incidents.opened_at", "desc").orderBy("incidents.id", "desc").limit(query.limit + 1);
  if (after) {
    const [openedAt, id] = [String(after[0]), Number(after[1])];
    q = q.where((eb) => eb.or([eb("incidents.opened_at", "<", openedAt), eb.and([eb("incidents.opened_at", "=", openedAt), eb("incidents.id", "<", id)])]));
  }
  if (query.status) q = q.where("incidents.status", "=", query.status);
  if (query.contract) {
    // A foreign contract is not found, as every foreign ref is (an empty list would say it exists elsewhere no less, but differently).
    const contract = await db.selectFrom("contracts").innerJoin("customers", "customers.id", "contracts.customer_id").select("contracts.id")
      .where("contracts.ref", "=", query.contract).where(customerInTenant(tenant)).executeTakeFirst();
    if (!contract) throw notFoundProblem("契約");
    q = q.where("incidents.contract_id", "=", contract.id);
  }
  if (query.createdFrom) q = q.where("incidents.opened_at", ">=", query.createdFrom);
  if (query.createdTo) q = q.where("incidents.opened_at", "<", query.createdTo);
  return page(await q.execute(), query.limit, (i) => [i.opened_at, i.id], presentIncident);
}

export function incidentIdParam(value: string | undefined): number {
  if (!value || !/^[1-9]\d{0,15}$/.test(value)) throw notFoundProblem("インシデント");
  return Number(value);
}

export async function getApiIncident(db: Kysely<Database>, tenant: KeyTenant, id: number) {
  const i = await incidents(db, tenant).where("incidents.id", "=", id).executeTakeFirst();
  if (!i) throw notFoundProblem("インシデント");
  return presentIncident(i);
}

/** Who acknowledges incidents and writes their notes: the provider's operations (INCIDENT_ROLES), not a reseller. */
function requireIncidentWriter(tenant: KeyTenant): void {
  if (tenant.kind !== "provider") {
    throw new ApiProblem(403, "forbidden_role", "権限がありません",
      "インシデントの対応開始とメモの記入は、お客さま管理者とプロバイダーの運用担当が行います（販売店のキーではできません）。");
  }
}

/** Unknown fields are refused (a typo must not pass silently); anything but an object is too. */
const bodyError = (issue: { code?: string; keys?: string[] }) =>
  issue.code === "unrecognized_keys" ? `使えない項目です: ${(issue.keys ?? []).join(", ")}` : "本文は JSON のオブジェクトで送ってください";

const assigneeField = z.string().trim().max(100, "担当者は100文字以内で入力してください");
export const AcknowledgeBody = z.strictObject({
  assignee: assigneeField.optional(),
  note: noteField("メモ").optional(),
}, { error: bodyError });
export const NoteBody = z.strictObject({ note: noteField("メモ", { required: true }) }, { error: bodyError });

function parseBody<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationProblem(fieldErrors(parsed.error));
  return parsed.data;
}

export async function acknowledgeApiIncident(db: Kysely<Database>, ctx: ApiContext, id: number) {
  const body = parseBody(AcknowledgeBody, await ctx.json());
  const tenant = ctx.caller.tenant;
  requireIncidentWriter(tenant);
  const result = await transitionIncident(db, {
    id, tenant, to: "acknowledged", assignee: body.assignee ?? "", notes: body.note ?? "", at: ctx.at, actor: ctx.caller.actor, ip: ctx.ip,
  });
  if (!result) throw notFoundProblem("インシデント");
  if (!result.ok) throw new ApiProblem(409, "conflict", "対応開始にできません", result.message);
  return getApiIncident(db, tenant, id);
}

export async function noteApiIncident(db: Kysely<Database>, ctx: ApiContext, id: number) {
  const body = parseBody(NoteBody, await ctx.json());
  const tenant = ctx.caller.tenant;
  requireIncidentWriter(tenant);
  if (!(await addIncidentNote(db, { id, tenant, note: body.note, at: ctx.at, actor: ctx.caller.actor, ip: ctx.ip }))) throw notFoundProblem("インシデント");
  return getApiIncident(db, tenant, id);
}

// ---- applications -------------------------------------------------------------------------

const text = z.string({ error: "文字列で指定してください" }).optional();
/** JSON types first; the values then pass the console's own form schema (ApplicationForm). */
export const ApplicationBody = z.strictObject({
  customer: text,
  holderName: text, holderAddress: text, holderPhone: text, holderEmail: text, lineId: text,
  area: text,
  endpointSeats: z.number({ error: "エンドポイントの台数は整数で指定してください" }).optional(),
  endpointOwnership: text,
  gatewayModel: z.string({ error: "文字列か null で指定してください" }).nullable().optional(),
  gatewayOwnership: text,
  gatewayRepair24h: z.boolean({ error: "true か false で指定してください" }).optional(),
  wishedStart: text,
  consent: z.boolean({ error: "true か false で指定してください" }).optional(),
}, { error: bodyError });

/** The form's field names as the API names them. */
const API_FIELD: Record<string, string> = { customerId: "customer" };

type ApplicationRow = NonNullable<Awaited<ReturnType<typeof getApplicationByRef>>>;

function presentApplication(a: ApplicationRow) {
  return {
    ref: a.ref, status: a.status, customer: a.customer_ref, holderName: a.holder_name, holderAddress: a.holder_address,
    holderPhone: a.holder_phone, holderEmail: a.holder_email, lineId: a.line_id, area: a.area, basePlan: a.base_plan,
    endpointSeats: a.endpoint_seats, endpointOwnership: a.endpoint_ownership, gatewayModel: a.gateway_model,
    gatewayOwnership: a.gateway_ownership, gatewayRepair24h: a.gateway_repair24h === 1, wishedStart: a.wished_start,
    serviceStart: a.service_start, contract: a.contract_ref, createdAt: jstIso(a.created_at), decidedAt: jstIso(a.decided_at),
  };
}

export async function getApiApplication(db: Kysely<Database>, tenant: KeyTenant, ref: string) {
  const a = await getApplicationByRef(db, { ref, tenant });
  if (!a) throw notFoundProblem("お申し込み");
  return presentApplication(a);
}

export async function submitApiApplication(db: Kysely<Database>, ctx: ApiContext) {
  const tenant = ctx.caller.tenant;
  if (tenant.kind !== "reseller") {
    throw new ApiProblem(403, "forbidden_role", "権限がありません", "お申し込みは販売店またはお客さまが行います（規約第7条）。販売店のキーを使ってください。");
  }
  const body = parseBody(ApplicationBody, await ctx.json());
  let customerId = "";
  if (body.customer) {
    const customer = await db.selectFrom("customers").select("customers.id").where("customers.ref", "=", body.customer)
      .where(customerInTenant(tenant)).executeTakeFirst();
    if (!customer) throw validationProblem({ customer: `お客さま ${body.customer} が見つかりません` });
    customerId = String(customer.id);
  }
  const form = {
    customerId, holderName: body.holderName ?? "", holderAddress: body.holderAddress ?? "", holderPhone: body.holderPhone ?? "",
    holderEmail: body.holderEmail ?? "", lineId: body.lineId ?? "", area: body.area ?? "",
    endpointSeats: body.endpointSeats === undefined ? "" : String(body.endpointSeats), endpointOwnership: body.endpointOwnership ?? "",
    gatewayModel: body.gatewayModel ?? "", gatewayOwnership: body.gatewayOwnership ?? (body.gatewayModel ? "" : "rental"),
    gatewayRepair24h: body.gatewayRepair24h ? "on" : undefined, wishedStart: body.wishedStart ?? "",
    consent: body.consent === true ? "yes" : "",
  };
  const parsed = ApplicationForm.safeParse(form);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    throw validationProblem(Object.fromEntries(Object.entries(errors).map(([k, v]) => [API_FIELD[k] ?? k, v])));
  }
  const result = await submitApplication(db, { tenant, input: parsed.data, at: ctx.at, actor: ctx.caller.actor, ip: ctx.ip });
  if (!result.ok) {
    if (result.field === "_form") throw new ApiProblem(409, "conflict", "お申し込みを受け付けられません", result.message);
    throw validationProblem({ [API_FIELD[result.field] ?? result.field]: result.message });
  }
  const created = await db.selectFrom("applications").select("ref").where("id", "=", result.id).executeTakeFirstOrThrow();
  return getApiApplication(db, tenant, created.ref);
}
