// The partner API's OpenAPI 3.1 document (issue 19, item 3), generated from the zod schemas the
// routes validate with (query parameters, request bodies) and the answers are typed by
// (schemas.ts), through zod 4's own z.toJSONSchema: one source for the checks, the answers and the
// document. Served at /api/v1/openapi.json and read by the console's /api-docs page.
import { z } from "zod";
import {
  IspApplicationBody,
  IspEndBody,
  LicenseListQuery,
  MainServiceBody,
} from "./licenses.server";
import {
  AcknowledgeBody,
  ApplicationBody,
  ApplicationListQuery,
  IncidentListQuery,
  NoteBody,
} from "./operations.server";
import { CreditNoteListQuery, DeviceListQuery, ThreatReportListQuery } from "./records.server";
import {
  ContractListQuery,
  ContractQuery,
  CustomerListQuery,
  InvoiceListQuery,
} from "./resources.server";
import { WebhookEndpointInput } from "../webhooks/endpoints.server";
import { CreatedWebhookEndpointSchema, WebhookEndpointSchema } from "../webhooks/schemas";
import {
  ApplicationSchema,
  ContractDetailSchema,
  ContractSchema,
  CreditNoteDetailSchema,
  CreditNoteSchema,
  CustomerSchema,
  DeviceSchema,
  IncidentSchema,
  InvoiceDetailSchema,
  InvoiceSchema,
  LicenseDetailSchema,
  LicenseSchema,
  MainServiceResultSchema,
  MainServiceSchema,
  ProblemSchema,
  ThreatReportSchema,
} from "./schemas";

type Json = Record<string, unknown>;

export interface ApiEndpoint {
  method: "get" | "post" | "delete";
  path: string;
  summary: string;
  scope: "read" | "write";
  pathParam?: { name: string; description: string };
  /** A second path parameter after the first (a device: its contract, then its name). */
  pathParam2?: { name: string; description: string };
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The answer: a schema with an id, a page of one, a list of one (`{ data }`), a PDF, or nothing (204); `also` another success status with the same body. */
  response: {
    status: 200 | 201 | 204;
    schema?: z.ZodType;
    page?: boolean;
    list?: boolean;
    pdf?: boolean;
    also?: { status: 200 | 201; description: string };
  };
  errors: number[];
}

const REF_PARAMS = {
  customer: { name: "ref", description: "顧客番号（例: C1）" },
  contract: { name: "ref", description: "契約番号（例: K-1001）" },
  invoice: { name: "number", description: "請求書番号（例: INV-00000001）" },
  incident: { name: "id", description: "インシデント番号（コンソールのアドレスの番号）" },
  application: { name: "ref", description: "申込番号（例: APP-000001）" },
  webhookEndpoint: { name: "id", description: "Webhookの送信先の番号" },
  creditNote: { name: "number", description: "赤伝番号" },
  threatReport: {
    name: "id",
    description: "レポート番号（一覧の id、コンソールのアドレスの番号）",
  },
  license: { name: "ref", description: "ライセンス番号（例: ISP-1234567890）" },
  deviceName: { name: "name", description: "機器名（例: PC-001）" },
};

export const API_ENDPOINTS: readonly ApiEndpoint[] = [
  {
    method: "get",
    path: "/customers",
    summary: "顧客の一覧",
    scope: "read",
    query: CustomerListQuery,
    response: { status: 200, schema: CustomerSchema, page: true },
    errors: [401, 422, 429],
  },
  {
    method: "get",
    path: "/customers/{ref}",
    summary: "顧客",
    scope: "read",
    pathParam: REF_PARAMS.customer,
    response: { status: 200, schema: CustomerSchema },
    errors: [401, 404, 429],
  },
  {
    method: "get",
    path: "/contracts",
    summary: "契約の一覧",
    scope: "read",
    query: ContractListQuery,
    response: { status: 200, schema: ContractSchema, page: true },
    errors: [401, 404, 422, 429],
  },
  {
    method: "get",
    path: "/contracts/{ref}",
    summary: "契約（解約の見積り付きも可）",
    scope: "read",
    pathParam: REF_PARAMS.contract,
    query: ContractQuery,
    response: { status: 200, schema: ContractDetailSchema },
    errors: [401, 404, 422, 429],
  },
  {
    method: "get",
    path: "/invoices",
    summary: "請求書の一覧（新しい順）",
    scope: "read",
    query: InvoiceListQuery,
    response: { status: 200, schema: InvoiceSchema, page: true },
    errors: [401, 404, 422, 429],
  },
  {
    method: "get",
    path: "/invoices/{number}",
    summary: "請求書",
    scope: "read",
    pathParam: REF_PARAMS.invoice,
    response: { status: 200, schema: InvoiceDetailSchema },
    errors: [401, 404, 429],
  },
  {
    method: "get",
    path: "/invoices/{number}/pdf",
    summary: "請求書のPDF",
    scope: "read",
    pathParam: REF_PARAMS.invoice,
    response: { status: 200, pdf: true },
    errors: [401, 404, 429],
  },
  {
    method: "get",
    path: "/incidents",
    summary: "インシデントの一覧（新しい順）",
    scope: "read",
    query: IncidentListQuery,
    response: { status: 200, schema: IncidentSchema, page: true },
    errors: [401, 404, 422, 429],
  },
  {
    method: "get",
    path: "/incidents/{id}",
    summary: "インシデント",
    scope: "read",
    pathParam: REF_PARAMS.incident,
    response: { status: 200, schema: IncidentSchema },
    errors: [401, 404, 429],
  },
  {
    method: "post",
    path: "/incidents/{id}/acknowledge",
    summary: "インシデントの対応開始（プロバイダーのキー）",
    scope: "write",
    pathParam: REF_PARAMS.incident,
    body: AcknowledgeBody,
    response: { status: 200, schema: IncidentSchema },
    errors: [400, 401, 403, 404, 409, 422, 429],
  },
  {
    method: "post",
    path: "/incidents/{id}/notes",
    summary: "インシデントにメモを追加（プロバイダーのキー）",
    scope: "write",
    pathParam: REF_PARAMS.incident,
    body: NoteBody,
    response: { status: 201, schema: IncidentSchema },
    errors: [400, 401, 403, 404, 409, 422, 429],
  },
  {
    method: "post",
    path: "/applications",
    summary: "お申し込み（販売店のキー）",
    scope: "write",
    body: ApplicationBody,
    response: { status: 201, schema: ApplicationSchema },
    errors: [400, 401, 403, 409, 422, 429],
  },
  {
    method: "get",
    path: "/applications",
    summary: "お申し込みの一覧（新しい順）",
    scope: "read",
    query: ApplicationListQuery,
    response: { status: 200, schema: ApplicationSchema, page: true },
    errors: [401, 422, 429],
  },
  {
    method: "get",
    path: "/applications/{ref}",
    summary: "お申し込み",
    scope: "read",
    pathParam: REF_PARAMS.application,
    response: { status: 200, schema: ApplicationSchema },
    errors: [401, 404, 429],
  },
  {
    method: "get",
    path: "/webhook-endpoints",
    summary: "Webhookの送信先の一覧",
    scope: "read",
    response: { status: 200, schema: WebhookEndpointSchema, list: true },
    errors: [401, 429],
  },
  {
    method: "post",
    path: "/webhook-endpoints",
    summary: "Webhookの送信先の登録（シークレットはこの応答だけ）",
    scope: "write",
    body: WebhookEndpointInput,
    response: { status: 201, schema: CreatedWebhookEndpointSchema },
    errors: [400, 401, 403, 422, 429],
  },
  {
    method: "get",
    path: "/webhook-endpoints/{id}",
    summary: "Webhookの送信先",
    scope: "read",
    pathParam: REF_PARAMS.webhookEndpoint,
    response: { status: 200, schema: WebhookEndpointSchema },
    errors: [401, 404, 429],
  },
  {
    method: "delete",
    path: "/webhook-endpoints/{id}",
    summary: "Webhookの送信先の削除",
    scope: "write",
    pathParam: REF_PARAMS.webhookEndpoint,
    response: { status: 204 },
    errors: [401, 403, 404, 429],
  },
  {
    method: "get",
    path: "/devices",
    summary: "機器の一覧（契約番号・機器名の順）",
    scope: "read",
    query: DeviceListQuery,
    response: { status: 200, schema: DeviceSchema, page: true },
    errors: [401, 404, 422, 429],
  },
  {
    method: "get",
    path: "/contracts/{ref}/devices/{name}",
    summary: "機器",
    scope: "read",
    pathParam: REF_PARAMS.contract,
    pathParam2: REF_PARAMS.deviceName,
    response: { status: 200, schema: DeviceSchema },
    errors: [401, 404, 429],
  },
  {
    method: "get",
    path: "/credit-notes",
    summary: "赤伝の一覧（新しい順）",
    scope: "read",
    query: CreditNoteListQuery,
    response: { status: 200, schema: CreditNoteSchema, page: true },
    errors: [401, 404, 422, 429],
  },
  {
    method: "get",
    path: "/credit-notes/{number}",
    summary: "赤伝",
    scope: "read",
    pathParam: REF_PARAMS.creditNote,
    response: { status: 200, schema: CreditNoteDetailSchema },
    errors: [401, 404, 429],
  },
  {
    method: "get",
    path: "/credit-notes/{number}/pdf",
    summary: "赤伝のPDF（保存された原本）",
    scope: "read",
    pathParam: REF_PARAMS.creditNote,
    response: { status: 200, pdf: true },
    errors: [401, 404, 429],
  },
  {
    method: "get",
    path: "/threat-reports",
    summary: "脅威レポートの一覧（新しい順）",
    scope: "read",
    query: ThreatReportListQuery,
    response: { status: 200, schema: ThreatReportSchema, page: true },
    errors: [401, 404, 422, 429],
  },
  {
    method: "get",
    path: "/threat-reports/{id}/pdf",
    summary: "脅威レポートのPDF",
    scope: "read",
    pathParam: REF_PARAMS.threatReport,
    response: { status: 200, pdf: true },
    errors: [401, 404, 429],
  },
  {
    method: "get",
    path: "/licenses",
    summary: "ライセンスの一覧（ライセンス番号順）",
    scope: "read",
    query: LicenseListQuery,
    response: { status: 200, schema: LicenseSchema, page: true },
    errors: [401, 404, 422, 429],
  },
  {
    method: "get",
    path: "/licenses/{ref}",
    summary: "ライセンス（今日の状態、ISP契約、主契約）",
    scope: "read",
    pathParam: REF_PARAMS.license,
    response: { status: 200, schema: LicenseDetailSchema },
    errors: [401, 404, 429],
  },
  {
    method: "post",
    path: "/licenses/isp",
    summary: "ISPセキュリティの申込み（L-4）",
    scope: "write",
    body: IspApplicationBody,
    response: {
      status: 201,
      schema: LicenseDetailSchema,
      also: {
        status: 200,
        description: "同じ Idempotency-Key で申し込み済み: そのライセンス（何も作りません）",
      },
    },
    errors: [400, 401, 403, 409, 422, 429],
  },
  {
    method: "post",
    path: "/licenses/{ref}/end",
    summary: "ISPセキュリティの解約（今月末で終了、L-4）",
    scope: "write",
    pathParam: REF_PARAMS.license,
    body: IspEndBody,
    response: { status: 200, schema: LicenseDetailSchema },
    errors: [400, 401, 403, 404, 409, 422, 429],
  },
  {
    method: "get",
    path: "/customers/{ref}/main-services",
    summary: "お客さまのISP主契約（L-4）",
    scope: "read",
    pathParam: REF_PARAMS.customer,
    response: { status: 200, schema: MainServiceSchema, list: true },
    errors: [401, 404, 429],
  },
  {
    method: "post",
    path: "/customers/{ref}/main-services",
    summary: "ISP主契約の状態の記録（L-4、すべて終われば ISPセキュリティも終了）",
    scope: "write",
    pathParam: REF_PARAMS.customer,
    body: MainServiceBody,
    response: {
      status: 201,
      schema: MainServiceResultSchema,
      also: { status: 200, description: "記録済みの主契約の状態を更新しました" },
    },
    errors: [400, 401, 403, 404, 422, 429],
  },
];

const ERROR_TEXT: Record<number, string> = {
  400: "JSON として読めない、または cursor が正しくない（invalid_json, invalid_cursor）",
  401: "APIキーがない・無効・失効（unauthorized）",
  403: "読み取り専用のキーでの書き込み（forbidden_scope）、キーのテナントにできない操作（forbidden_role）",
  404: "存在しないか、このキーでは参照できない（not_found）",
  409: "状態が合わない（conflict）、Idempotency-Key の使い回し（idempotency_conflict, idempotency_in_progress）",
  422: "入力内容の誤り（validation_failed、errors に項目ごとのメッセージ）",
  429: "1分あたりのリクエスト数の上限（rate_limited、Retry-After 秒後に再試行）",
};

const REQUESTS: readonly z.ZodType[] = [
  ApplicationBody,
  AcknowledgeBody,
  NoteBody,
  IspApplicationBody,
  IspEndBody,
  MainServiceBody,
  WebhookEndpointInput,
];
const COMPONENTS: readonly z.ZodType[] = [
  CustomerSchema,
  ContractSchema,
  ContractDetailSchema,
  InvoiceSchema,
  InvoiceDetailSchema,
  IncidentSchema,
  ApplicationSchema,
  DeviceSchema,
  CreditNoteSchema,
  CreditNoteDetailSchema,
  ThreatReportSchema,
  LicenseSchema,
  LicenseDetailSchema,
  MainServiceSchema,
  MainServiceResultSchema,
  ProblemSchema,
  WebhookEndpointSchema,
  CreatedWebhookEndpointSchema,
  ...REQUESTS,
];

const idOf = (schema: z.ZodType): string | undefined =>
  (z.globalRegistry.get(schema) as { id?: string } | undefined)?.id;
const ref = (schema: z.ZodType): Json => ({ $ref: `#/components/schemas/${idOf(schema)}` });

/**
 * A schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect). Schemas with an id (`.meta({ id })`)
 * come out as `$defs`, which become components; references to them point there.
 */
function jsonSchema(
  schema: z.ZodType,
  io: "input" | "output",
): { root: Json; defs: Record<string, Json> } {
  const out = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    target: "draft-2020-12",
  }) as Json;
  const text = JSON.stringify(out).replaceAll('"#/$defs/', '"#/components/schemas/');
  const {
    $schema: _,
    $defs,
    ...root
  } = JSON.parse(text) as Json & { $defs?: Record<string, Json> };
  return { root, defs: $defs ?? {} };
}

function parameters(endpoint: ApiEndpoint): Json[] {
  const params: Json[] = [];
  if (endpoint.pathParam) {
    params.push({
      name: endpoint.pathParam.name,
      in: "path",
      required: true,
      description: endpoint.pathParam.description,
      schema: { type: endpoint.pathParam.name === "id" ? "integer" : "string" },
    });
  }
  if (endpoint.pathParam2) {
    params.push({
      name: endpoint.pathParam2.name,
      in: "path",
      required: true,
      description: endpoint.pathParam2.description,
      schema: { type: "string" },
    });
  }
  if (endpoint.query) {
    const schema = jsonSchema(endpoint.query, "input").root as {
      properties?: Record<string, Json>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const { description, ...rest } = property;
      params.push({
        name,
        in: "query",
        required: schema.required?.includes(name) ?? false,
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  if (endpoint.method === "post") {
    params.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description:
        "同じキー・同じ内容の再送には最初の応答を返し、何も変えません（1〜255文字、APIキーごと）",
      schema: { type: "string", maxLength: 255 },
    });
  }
  return params;
}

function successContent(endpoint: ApiEndpoint): Json {
  const { response } = endpoint;
  if (response.pdf)
    return {
      "application/pdf": { schema: { type: "string", contentMediaType: "application/pdf" } },
    };
  const item = ref(response.schema!);
  if (response.list)
    return {
      "application/json": {
        schema: {
          type: "object",
          required: ["data"],
          additionalProperties: false,
          properties: { data: { type: "array", items: item } },
        },
      },
    };
  const schema = response.page
    ? {
        type: "object",
        required: ["data", "nextCursor"],
        additionalProperties: false,
        properties: {
          data: { type: "array", items: item },
          nextCursor: {
            type: ["string", "null"],
            description: "次のページの cursor（最後のページでは null）",
          },
        },
      }
    : response.list
      ? {
          type: "object",
          required: ["data"],
          additionalProperties: false,
          properties: { data: { type: "array", items: item } },
        }
      : item;
  return { "application/json": { schema } };
}

export function openApiDocument(serverUrl: string): Json {
  const paths: Record<string, Json> = {};
  for (const e of API_ENDPOINTS) {
    const operation: Json = {
      summary: e.summary,
      description: `権限: ${e.scope === "write" ? "write" : "read（write のキーも可）"}`,
      security: [{ bearer: [] }],
      parameters: parameters(e),
      ...(e.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: ref(e.body) } },
            },
          }
        : {}),
      responses: {
        [String(e.response.status)]:
          e.response.status === 204
            ? { description: "削除しました（本文なし）" }
            : {
                description: e.response.status === 201 ? "作成しました" : "成功",
                content: successContent(e),
              },
        ...(e.response.also
          ? {
              [String(e.response.also.status)]: {
                description: e.response.also.description,
                content: successContent(e),
              },
            }
          : {}),
        ...Object.fromEntries(
          e.errors.map((status) => [
            String(status),
            {
              description: ERROR_TEXT[status],
              ...(status === 429
                ? {
                    headers: {
                      "Retry-After": {
                        description: "再試行までの秒数",
                        schema: { type: "integer" },
                      },
                    },
                  }
                : {}),
              content: { "application/problem+json": { schema: ref(ProblemSchema) } },
            },
          ]),
        ),
      },
    };
    paths[`/api/v1${e.path}`] = { ...(paths[`/api/v1${e.path}`] ?? {}), [e.method]: operation };
  }
  const schemas: Record<string, Json> = {};
  for (const c of COMPONENTS) {
    const isRequest = REQUESTS.includes(c);
    Object.assign(schemas, jsonSchema(c, isRequest ? "input" : "output").defs);
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "セキュアライン パートナーAPI",
      version: "1",
      description:
        "販売店・ISPの業務システム向けのAPIです。金額は円の整数、日時は +09:00 付きの ISO 8601、日付は YYYY-MM-DD。" +
        "一覧は cursor と limit でページ送りします。エラーは RFC 9457 の problem details（日本語の title・detail と英語の code）です。",
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "コンソールの「APIキー」で発行したキー（slk_…）",
        },
      },
      schemas,
    },
    paths,
  };
}
