import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { openApiDocument } from "~/api/openapi.server";
import { requireViewer } from "~/auth/session.server";
import { API_KEY_ROLES } from "~/auth/tenancy";
import { TableScroll } from "~/components/TableScroll";
import { consoleUrl } from "~/lib/http.server";

type Json = Record<string, unknown>;
interface Param {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: Json;
}
interface Field {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

/** A JSON Schema's type as people read it: `string`, `"a" | "b"`, `Customer`, `string | null`, `Contract[]`. */
function typeLabel(schema: Json | undefined): string {
  if (!schema) return "—";
  if (typeof schema.$ref === "string") return schema.$ref.split("/").at(-1)!;
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Json[]).map(typeLabel).join(" | ");
  if (schema.type === "array") return `${typeLabel(schema.items as Json)}[]`;
  if (Array.isArray(schema.type)) return schema.type.join(" | ");
  if (
    schema.type === "object" &&
    schema.additionalProperties &&
    typeof schema.additionalProperties === "object"
  )
    return `{ [項目]: ${typeLabel(schema.additionalProperties as Json)} }`;
  return typeof schema.type === "string" ? schema.type : "任意";
}

function descriptionOf(schema: Json): string {
  if (typeof schema.description === "string") return schema.description;
  const inner = Array.isArray(schema.anyOf)
    ? (schema.anyOf as Json[]).find((s) => typeof s.description === "string")
    : undefined;
  return (inner?.description as string | undefined) ?? "";
}

function fieldsOf(schema: Json): Field[] {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = (schema.required ?? []) as string[];
  return Object.entries(properties).map(([name, p]) => ({
    name,
    type: typeLabel(p),
    required: required.includes(name),
    description: descriptionOf(p),
  }));
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireViewer(request, { roles: API_KEY_ROLES });
  const doc = openApiDocument(consoleUrl()) as {
    paths: Record<string, Record<string, Json>>;
    components: { schemas: Record<string, Json> };
  };
  const endpoints = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const responses = op.responses as Record<
        string,
        { description: string; content?: Record<string, { schema: Json }> }
      >;
      // Several success statuses (201 created, 200 already made by the same Idempotency-Key) share one body.
      const successes = Object.entries(responses).filter(([status]) => status.startsWith("2"));
      const success = successes[0];
      const [contentType, content] = Object.entries(success[1].content ?? {})[0] ?? [
        "",
        { schema: {} },
      ];
      const body = (op.requestBody as { content: Record<string, { schema: Json }> } | undefined)
        ?.content["application/json"].schema;
      return {
        id: `${method}-${path}`.replace(/[^a-z0-9]+/gi, "-"),
        method: method.toUpperCase(),
        path,
        summary: op.summary as string,
        scope: op.description as string,
        parameters: (op.parameters as Param[]).map((p) => ({
          name: p.name,
          in: p.in,
          required: p.required,
          type: typeLabel(p.schema),
          description: p.description ?? "",
        })),
        body: body ? typeLabel(body) : null,
        success: {
          status: successes
            .map(([status]) => status)
            .sort()
            .reverse()
            .join("・"),
          contentType,
          type:
            content.schema.type === "object" &&
            (content.schema.properties as Json | undefined)?.data
              ? `{ data: ${typeLabel((content.schema.properties as Record<string, Json>).data)}${(content.schema.properties as Json).nextCursor ? ", nextCursor: string | null" : ""} }`
              : typeLabel(content.schema),
        },
        errors: Object.entries(responses)
          .filter(([status]) => !status.startsWith("2"))
          .map(([status, r]) => ({ status, description: r.description })),
      };
    }),
  );
  const schemas = Object.entries(doc.components.schemas).map(([name, s]) => ({
    name,
    description: descriptionOf(s),
    fields: fieldsOf(s),
  }));
  return { endpoints, schemas };
}

export default function ApiDocs() {
  const { endpoints, schemas } = useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to="/api-keys">← APIキー</Link>
      </p>
      <h1>API仕様</h1>
      <p className="muted">
        <code>Authorization: Bearer キー</code> を付けて呼び出します。金額は円の整数、日時は +09:00
        付きの ISO 8601、日付は YYYY-MM-DD です。 一覧は <code>limit</code>（既定50、最大200）と{" "}
        <code>cursor</code>（前のページの <code>nextCursor</code>）でページ送りします。 エラーは RFC
        9457 の problem details（<code>application/problem+json</code>、日本語の title・detail
        と英語の code）です。 機械で読める仕様は{" "}
        <a href="/api/v1/openapi.json">OpenAPI 3.1（/api/v1/openapi.json）</a>です。
      </p>
      <h2>エンドポイント</h2>
      <ul>
        {endpoints.map((e) => (
          <li key={e.id}>
            <a href={`#${e.id}`}>
              <code>
                {e.method} {e.path}
              </code>
            </a>{" "}
            {e.summary}
          </li>
        ))}
      </ul>
      {endpoints.map((e) => (
        <section key={e.id} id={e.id} className="card mt-16" aria-label={`${e.method} ${e.path}`}>
          <h3 className="mt-0">
            <code>
              {e.method} {e.path}
            </code>
          </h3>
          <p>
            {e.summary}（{e.scope}）
          </p>
          {e.parameters.length > 0 ? (
            <TableScroll>
              <table className="data" aria-label={`${e.method} ${e.path} のパラメーター`}>
                <thead>
                  <tr>
                    <th scope="col">パラメーター</th>
                    <th scope="col">場所</th>
                    <th scope="col">必須</th>
                    <th scope="col">型</th>
                    <th scope="col">説明</th>
                  </tr>
                </thead>
                <tbody>
                  {e.parameters.map((p) => (
                    <tr key={`${p.in}-${p.name}`}>
                      <td>
                        <code>{p.name}</code>
                      </td>
                      <td>{p.in}</td>
                      <td>{p.required ? "必須" : "任意"}</td>
                      <td>
                        <code>{p.type}</code>
                      </td>
                      <td>{p.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          ) : null}
          {e.body ? (
            <p>
              本文（JSON）:{" "}
              <a href={`#schema-${e.body}`}>
                <code>{e.body}</code>
              </a>
            </p>
          ) : null}
          <p>
            応答 {e.success.status}（{e.success.contentType}）: <code>{e.success.type}</code>
          </p>
          <ul className="muted">
            {e.errors.map((x) => (
              <li key={x.status}>
                {x.status}: {x.description}
              </li>
            ))}
          </ul>
        </section>
      ))}
      <h2>スキーマ</h2>
      {schemas.map((s) => (
        <section key={s.name} id={`schema-${s.name}`} className="mt-16">
          <h3>
            <code>{s.name}</code> {s.description}
          </h3>
          <TableScroll>
            <table className="data" aria-label={`${s.name} の項目`}>
              <thead>
                <tr>
                  <th scope="col">項目</th>
                  <th scope="col">型</th>
                  <th scope="col">必須</th>
                  <th scope="col">説明</th>
                </tr>
              </thead>
              <tbody>
                {s.fields.map((f) => (
                  <tr key={f.name}>
                    <td>
                      <code>{f.name}</code>
                    </td>
                    <td>
                      <code>{f.type}</code>
                    </td>
                    <td>{f.required ? "必須" : "任意"}</td>
                    <td>{f.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </section>
      ))}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "API仕様 | セキュアライン 管理コンソール" }];
