// /api/v1/webhook-endpoints (issue 19, item 4): the same registration as the console's page,
// scoped to the key's tenant; a foreign or unknown id is 404.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import {
  failureProblem,
  fieldErrors,
  notFoundProblem,
  validationProblem,
  type ApiContext,
} from "../api/http.server";
import { getServerConfig } from "../config.server";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  presentWebhookEndpoint,
  WebhookEndpointInput,
} from "./endpoints.server";

/** How a failure of the endpoints' operations reads in a problem. */
const ENDPOINT = { what: "Webhookの送信先", title: "Webhookの送信先を変更できません" };

export function endpointIdParam(value: string | undefined): number {
  const id = /^[1-9]\d{0,15}$/.test(value ?? "") ? Number(value) : NaN;
  if (!Number.isSafeInteger(id)) throw notFoundProblem("Webhookの送信先");
  return id;
}

export async function listApiWebhookEndpoints(db: Kysely<Database>, ctx: ApiContext) {
  return { data: (await listWebhookEndpoints(db, ctx.caller.tenant)).map(presentWebhookEndpoint) };
}

export async function getApiWebhookEndpoint(db: Kysely<Database>, ctx: ApiContext, id: number) {
  const endpoint = await getWebhookEndpoint(db, ctx.caller.tenant, id);
  if (!endpoint) throw notFoundProblem("Webhookの送信先");
  return presentWebhookEndpoint(endpoint);
}

export async function createApiWebhookEndpoint(db: Kysely<Database>, ctx: ApiContext) {
  const parsed = WebhookEndpointInput.safeParse(await ctx.json());
  if (!parsed.success) throw validationProblem(fieldErrors(parsed.error));
  const result = await createWebhookEndpoint(db, {
    tenant: ctx.caller.tenant,
    input: parsed.data,
    at: ctx.at,
    actor: ctx.caller.actor,
    ip: ctx.ip,
    allowHosts: getServerConfig().webhookAllowHosts,
  });
  if (!result.ok) throw failureProblem(result, ENDPOINT);
  return { ...presentWebhookEndpoint(result.value.endpoint), secret: result.value.secret };
}

export async function deleteApiWebhookEndpoint(
  db: Kysely<Database>,
  ctx: ApiContext,
  id: number,
): Promise<void> {
  const result = await deleteWebhookEndpoint(db, {
    tenant: ctx.caller.tenant,
    id,
    at: ctx.at,
    actor: ctx.caller.actor,
    ip: ctx.ip,
  });
  if (!result.ok) throw failureProblem(result, ENDPOINT);
}
