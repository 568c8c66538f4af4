// The partner API's answers about webhook endpoints (issue 19, item 4), as zod schemas: the
// routes are typed by them and the OpenAPI document is generated from them (api/openapi.server.ts).
import { z } from "zod";
import { WEBHOOK_EVENT_TYPES } from "./event-types";

const instant = z.string().describe("日時（ISO 8601、+09:00）");

export const WebhookEndpointSchema = z
  .strictObject({
    id: z.number().int().describe("送信先の番号"),
    url: z.string(),
    description: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).describe("受け取るイベントの種類"),
    secretPrefix: z.string().describe("シークレットの先頭（見分けるためだけのもの）"),
    ownerEmail: z.string(),
    status: z.enum(["active", "disabled"]).describe("disabled: 72時間送信に失敗して停止中"),
    disabledAt: instant.nullable(),
    disabledReason: z.string().nullable(),
    createdAt: instant,
  })
  .meta({ id: "WebhookEndpoint", description: "Webhookの送信先" });

export const CreatedWebhookEndpointSchema = WebhookEndpointSchema.extend({
  secret: z.string().describe("署名のシークレット（whsec_…）。この応答でしか返しません"),
}).meta({
  id: "CreatedWebhookEndpoint",
  description: "登録したWebhookの送信先（シークレット付き）",
});

export type ApiWebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;
