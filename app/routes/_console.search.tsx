import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { CUSTOMER_VIEW_ROLES } from "~/auth/tenancy";
import { getDb } from "~/db.server";
import { SearchBox } from "~/components/SearchBox";
import { normalizeQuery, searchConsole, SEARCH_LIMIT } from "~/home/search.server";
import { formatCount, formatMonth } from "~/lib/format";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: CUSTOMER_VIEW_ROLES });
  const query = normalizeQuery(new URL(request.url).searchParams.get("q"));
  return {
    query,
    results: query === "" ? null : await searchConsole(getDb(), viewer.tenant, query),
  };
}

export default function Search() {
  const { query, results } = useLoaderData<typeof loader>();
  const total = results
    ? results.customers.length +
      results.contracts.length +
      results.invoices.length +
      results.licenses.length
    : 0;
  return (
    <>
      <h1>検索</h1>
      <SearchBox defaultValue={query} />
      {results === null ? (
        <p className="muted">
          契約番号・回線ID・顧客名・請求書番号・ライセンスの注文番号で探せます。
        </p>
      ) : total === 0 ? (
        <div className="empty" data-testid="search-count">
          「{query}」に一致するものはありません。
        </div>
      ) : (
        <>
          <p data-testid="search-count">
            「{query}」の検索結果 {formatCount(total)}件（種類ごとに{SEARCH_LIMIT}件まで）
          </p>
          {results.customers.length > 0 ? (
            <section aria-label="顧客">
              <h2>顧客（{results.customers.length}件）</h2>
              <ul>
                {results.customers.map((c) => (
                  <li key={c.id}>
                    <Link to={`/customers/${c.id}`}>
                      {c.name}（{c.ref}）
                    </Link>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {results.contracts.length > 0 ? (
            <section aria-label="契約">
              <h2>契約（{results.contracts.length}件）</h2>
              <ul>
                {results.contracts.map((c) => (
                  <li key={c.id}>
                    <Link to={`/contracts/${c.id}`}>{c.ref}</Link> 回線ID {c.lineId}・
                    {c.customerName}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {results.invoices.length > 0 ? (
            <section aria-label="請求書">
              <h2>請求書（{results.invoices.length}件）</h2>
              <ul>
                {results.invoices.map((i) => (
                  <li key={i.id}>
                    <Link to={`/invoices/${i.id}`}>{i.number}</Link> {formatMonth(i.billingMonth)}
                    分・{i.customerName}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {results.licenses.length > 0 ? (
            <section aria-label="ライセンス">
              <h2>ライセンス（{results.licenses.length}件）</h2>
              <ul>
                {results.licenses.map((l) => (
                  <li key={l.id}>
                    <Link to={`/licenses/${l.id}`}>{l.ref}</Link> 注文番号 {l.orderNumber}・
                    {l.customerName}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "検索 | セキュアライン 管理コンソール" }];
