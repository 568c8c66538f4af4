import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ARCHIVE_SORT, KIND_LABELS, pageArchive } from "~/billing/document-archive.server";
import { requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { KeepSort, Pager, SortHeader } from "~/components/Pager";
import { ActionsHeader, TableScroll } from "~/components/TableScroll";
import { getDb } from "~/db.server";
import { TEXT_LIMITS } from "~/lib/fields";
import { fieldErrorsOf } from "~/lib/form";
import { isIsoDate, type IsoDate } from "~/lib/jst";
import { parseYenInput } from "~/lib/money";
import { formatCount, formatDate, formatInstant, formatYen } from "~/lib/format";
import { titled } from "~/lib/meta";
import { pageRequest } from "~/lib/paging";

const optionalDate = (label: string) =>
  z
    .string()
    .trim()
    .refine(
      (v): v is IsoDate | "" => v === "" || isIsoDate(v),
      `${label}を正しい日付で入力してください`,
    );
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
  const wanted = pageRequest(params, ARCHIVE_SORT);
  if (!parsed.success)
    return {
      values,
      errors: fieldErrorsOf<SearchField>(parsed.error),
      documents: [],
      totals: { count: 0, amountYen: 0 },
      page: { ...wanted, page: 1, total: 0 },
    };
  const { from, to, min, max, q } = parsed.data;
  // Issue 17 item 2: every document of the search, a page at a time (it stopped at 500).
  const { documents, totals, page } = await pageArchive(
    getDb(),
    {
      from: from || null,
      to: to || null,
      minYen: min ? parseYenInput(min) : null,
      maxYen: max ? parseYenInput(max) : null,
      counterparty: q || null,
    },
    wanted,
  );
  return {
    values,
    errors: {} as Partial<Record<SearchField, string>>,
    // Labelled here: a .server module's values are undefined in the browser's render.
    documents: documents.map((d) => ({ ...d, kindLabel: KIND_LABELS[d.kind] })),
    totals,
    page,
  };
}

export default function Archive() {
  const { values, errors, documents, totals, page } = useLoaderData<typeof loader>();
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
        <KeepSort info={page} />
        <button type="submit" className="secondary">
          検索
        </button>
      </Form>
      {documents.length === 0 ? (
        <div className="empty">条件に合う保存済みの書類はありません。</div>
      ) : (
        <>
          <p className="muted" data-testid="archive-count">
            {formatCount(totals.count)}件　取引金額の合計 {formatYen(totals.amountYen)}
          </p>
          <Pager info={page} label="電子帳簿のページ" />
          <TableScroll>
            <table className="data">
              <thead>
                <tr>
                  <SortHeader info={page} column="issued" first="desc">
                    取引年月日
                  </SortHeader>
                  <th scope="col">書類</th>
                  <SortHeader info={page} column="number">
                    番号
                  </SortHeader>
                  <SortHeader info={page} column="counterparty">
                    取引先
                  </SortHeader>
                  <SortHeader info={page} column="amount" first="desc" className="num">
                    取引金額（税込）
                  </SortHeader>
                  <th scope="col">保存日時</th>
                  <th scope="col">SHA-256</th>
                  <ActionsHeader />
                </tr>
              </thead>
              <tbody>
                {documents.map((d) => (
                  <tr key={d.id}>
                    <td>{formatDate(d.issueDate)}</td>
                    <td>{d.kindLabel}</td>
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
          <Pager info={page} label="電子帳簿のページ（下）" />
        </>
      )}
    </>
  );
}

export const meta = titled("電子帳簿の検索");
