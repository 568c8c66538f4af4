import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { KIND_LABELS, searchArchive } from "~/billing/document-archive.server";
import { requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { ActionsHeader, TableScroll } from "~/components/TableScroll";
import { getDb } from "~/db.server";
import { TEXT_LIMITS } from "~/lib/fields";
import { fieldErrorsOf } from "~/lib/form";
import { isIsoDate } from "~/lib/jst";
import { parseYenInput } from "~/lib/money";
import { formatDate, formatInstant, formatYen } from "~/lib/format";

const RESULT_LIMIT = 500;

const optionalDate = (label: string) =>
  z
    .string()
    .trim()
    .refine((v) => v === "" || isIsoDate(v), `${label}を正しい日付で入力してください`);
const optionalYen = (label: string) =>
  z
    .string()
    .trim()
    .refine(
      (v) => v === "" || parseYenInput(v) !== null,
      `${label}は0以上の整数の円で入力してください`,
    );

// 電子帳簿保存法's search keys: 取引年月日 (range), 取引金額 (range) and 取引先, combined.
const SearchForm = z.object({
  from: optionalDate("取引年月日（から）"),
  to: optionalDate("取引年月日（まで）"),
  min: optionalYen("取引金額（以上）"),
  max: optionalYen("取引金額（以下）"),
  q: z
    .string()
    .trim()
    .max(TEXT_LIMITS.name, `取引先は${TEXT_LIMITS.name}文字以内で入力してください`),
});
type SearchField = keyof z.infer<typeof SearchForm>;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireViewer(request, { roles: FINANCE_ROLES });
  const params = new URL(request.url).searchParams;
  const values = Object.fromEntries(
    (["from", "to", "min", "max", "q"] as const).map((k) => [k, params.get(k) ?? ""]),
  ) as Record<SearchField, string>;
  const parsed = SearchForm.safeParse(values);
  if (!parsed.success)
    return {
      values,
      errors: fieldErrorsOf<SearchField>(parsed.error),
      documents: [],
      limited: false,
    };
  const { from, to, min, max, q } = parsed.data;
  const documents = await searchArchive(
    getDb(),
    {
      from: from || null,
      to: to || null,
      minYen: min ? parseYenInput(min) : null,
      maxYen: max ? parseYenInput(max) : null,
      counterparty: q || null,
    },
    RESULT_LIMIT + 1,
  );
  return {
    values,
    errors: {} as Partial<Record<SearchField, string>>,
    documents: documents.slice(0, RESULT_LIMIT),
    limited: documents.length > RESULT_LIMIT,
  };
}

export default function Archive() {
  const { values, errors, documents, limited } = useLoaderData<typeof loader>();
  const field = (name: SearchField, label: string, input: React.ReactElement) => (
    <label>
      {label}
      {input}
      {errors[name] ? (
        <span className="field-error" role="alert">
          {errors[name]}
        </span>
      ) : null}
    </label>
  );
  return (
    <>
      <h1>電子帳簿の検索</h1>
      <p className="muted">
        発行した請求書・返還請求書は、最初に作成（メール送信・ダウンロード）したときのPDFをそのまま保存しています（電子帳簿保存法）。
        ここからのダウンロードは保存した原本そのものです。取引年月日・取引金額（税込）・取引先で検索でき、条件は組み合わせられます。
      </p>
      <Form method="get" className="filters" aria-label="電子帳簿の検索">
        {field(
          "from",
          "取引年月日（から）",
          <input
            type="date"
            name="from"
            defaultValue={values.from}
            aria-invalid={errors.from ? true : undefined}
          />,
        )}
        {field(
          "to",
          "取引年月日（まで）",
          <input
            type="date"
            name="to"
            defaultValue={values.to}
            aria-invalid={errors.to ? true : undefined}
          />,
        )}
        {field(
          "min",
          "取引金額（以上）",
          <input
            type="text"
            inputMode="numeric"
            name="min"
            size={10}
            defaultValue={values.min}
            aria-invalid={errors.min ? true : undefined}
          />,
        )}
        {field(
          "max",
          "取引金額（以下）",
          <input
            type="text"
            inputMode="numeric"
            name="max"
            size={10}
            defaultValue={values.max}
            aria-invalid={errors.max ? true : undefined}
          />,
        )}
        {field(
          "q",
          "取引先",
          <input
            type="search"
            name="q"
            defaultValue={values.q}
            aria-invalid={errors.q ? true : undefined}
          />,
        )}
        <button type="submit" className="secondary">
          検索
        </button>
      </Form>
      {documents.length === 0 ? (
        <div className="empty">条件に合う保存済みの書類はありません。</div>
      ) : (
        <>
          <p className="muted" data-testid="archive-count">
            {documents.length}件
            {limited ? `（先頭の${RESULT_LIMIT}件を表示しています。条件を絞り込んでください）` : ""}
          </p>
          <TableScroll>
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">取引年月日</th>
                  <th scope="col">書類</th>
                  <th scope="col">番号</th>
                  <th scope="col">取引先</th>
                  <th scope="col" className="num">
                    取引金額（税込）
                  </th>
                  <th scope="col">保存日時</th>
                  <th scope="col">SHA-256</th>
                  <ActionsHeader />
                </tr>
              </thead>
              <tbody>
                {documents.map((d) => (
                  <tr key={d.id}>
                    <td>{formatDate(d.issueDate)}</td>
                    <td>{KIND_LABELS[d.kind]}</td>
                    <td>{d.number}</td>
                    <td>{d.counterparty}</td>
                    <td className="num">{formatYen(d.amountYen)}</td>
                    <td>{formatInstant(d.storedAt)}</td>
                    <td>
                      <code title={d.sha256}>{d.sha256.slice(0, 12)}…</code>
                    </td>
                    <td>
                      <a href={`/archive/${d.id}/pdf`} download>
                        原本PDF
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [
  { title: "電子帳簿の検索 | セキュアライン 管理コンソール" },
];
