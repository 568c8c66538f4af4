import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { z } from "zod";
import { countField, yenField } from "~/lib/fields";
import { parseForm } from "~/lib/form";
import { failureMessage } from "~/lib/result";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { previewBillingMonth } from "~/billing/billing-run.server";
import { NON_TAXABLE_HEADING } from "~/billing/tax";
import { closeProgress, requestMonthClose } from "~/billing/month-close-jobs.server";
import { issuedInMonth } from "~/billing/months.server";
import { clientIp, requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { TableScroll } from "~/components/TableScroll";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { isYearMonth, jstDate, monthOf, type YearMonth } from "~/lib/jst";
import { notFound } from "~/lib/http.server";
import { formatCount, formatMonth, formatYen } from "~/lib/format";

/** How many invoices the preview table lists (the sums above it cover the whole month). */
const PREVIEW_ROWS = 100;

function monthParam(value: string | undefined): YearMonth {
  if (!isYearMonth(value)) throw notFound();
  return value;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireViewer(request, { roles: FINANCE_ROLES });
  const month = monthParam(params.month);
  const db = getDb();
  const progress = await closeProgress(db, month);
  const issued = await issuedInMonth(db, month);
  // While the job worker closes the month, the page (it refreshes itself every second) reads the
  // job's row only: planning the month on each refresh is what stalled the server (issue 18).
  if (progress && (progress.state === "queued" || progress.state === "running")) {
    return {
      month,
      closed: false,
      monthOver: true,
      problems: [],
      count: 0,
      preview: [],
      totals: { taxable10Yen: 0, tax10Yen: 0, nonTaxableYen: 0, totalYen: 0 },
      issued,
      progress,
    };
  }
  // The whole month summed page by page; only the first rows are kept for the table.
  const plan = await previewBillingMonth(db, month, PREVIEW_ROWS);
  return {
    month,
    closed: plan.closed,
    monthOver: month < monthOf(jstDate(now())),
    problems: plan.problems,
    count: plan.count,
    preview: plan.first.map((p) => ({
      contractRef: p.contractRef,
      recipient: p.recipientName,
      lines: p.draft.lines.length,
      ...p.draft.totals,
    })),
    totals: plan.totals,
    issued,
    progress,
  };
}

/**
 * Closing a month issues its invoices and cannot be undone, so it takes two submits that work
 * without JavaScript: the first shows what will be issued (count and yen from the plan); the
 * confirm carries those figures back and closes only while the plan still gives the same ones.
 */
// Preview, then confirm with what was shown (issue 16 item 1): an unknown intent is a 400.
const CloseForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("preview") }),
  z.object({
    intent: z.literal("confirm"),
    count: countField("件数"),
    totalYen: yenField("合計"),
  }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: FINANCE_ROLES });
  const month = monthParam(params.month);
  if (month >= monthOf(jstDate(now())))
    throw new Response("月末を過ぎていない月は締められません。", { status: 400 });
  const form = await request.formData();
  const parsed = parseForm(CloseForm, form);
  if (!parsed.ok) return data({ confirm: null, error: failureMessage(parsed) }, { status: 400 });
  const input = parsed.value;
  const db = getDb();
  const running = await closeProgress(db, month);
  // A second submit while the job is queued or running shows its progress (one close per month).
  if (running && (running.state === "queued" || running.state === "running"))
    return redirect(`/billing/${month}`);
  const plan = await previewBillingMonth(db, month, 0);
  if (plan.closed)
    return data({ confirm: null, error: "この月はすでに締め済みです。" }, { status: 409 });
  if (plan.problems.length > 0)
    return data(
      { confirm: null, error: "契約データに問題があるため発行できません。" },
      { status: 409 },
    );
  const confirm = { count: plan.count, ...plan.totals };
  if (input.intent !== "confirm") return data({ confirm, error: null });
  if (input.count !== confirm.count || input.totalYen !== confirm.totalYen) {
    return data(
      { confirm, error: "確認した後に発行内容が変わりました。内容をもう一度確認してください。" },
      { status: 409 },
    );
  }
  // Run by the job worker (scripts/workers.ts), never in this request: the page shows its progress.
  await requestMonthClose(db, month, {
    at: now(),
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  });
  return redirect(`/billing/${month}`);
}

/** The amount columns of the month's preview, in the order of the invoice's tax summary. */
function TaxColumnHeads() {
  return (
    <>
      <th scope="col" className="num">
        10%対象
      </th>
      <th scope="col" className="num">
        消費税
      </th>
      <th scope="col" className="num">
        {NON_TAXABLE_HEADING}
      </th>
      <th scope="col" className="num">
        合計
      </th>
    </>
  );
}

export default function BillingMonth() {
  const { month, closed, monthOver, problems, count, preview, totals, issued, progress } =
    useLoaderData<typeof loader>();
  const submitting = useNavigation().state === "submitting";
  const result = useActionData<typeof action>();
  const active = progress?.state === "running" || progress?.state === "queued";
  const confirm = !closed && !active ? (result?.confirm ?? null) : null;
  const label = formatMonth(month);
  return (
    <>
      <p>
        <Link to="/billing">← 請求締め</Link>
      </p>
      <h1>
        {label}の請求{" "}
        <span className={`badge ${closed ? "" : "warn"}`}>{closed ? "締め済み" : "未締め"}</span>
      </h1>
      {active ? (
        <div className="alert success" role="status" data-testid="close-progress">
          {/* Refreshes itself until the run ends, with or without JavaScript. */}
          <meta httpEquiv="refresh" content="1" />
          {progress.state === "queued" ? (
            <>締めの開始を待っています…{progress.message ? `（${progress.message}）` : ""}</>
          ) : (
            <>
              請求書を発行しています… {progress.done} / {progress.total || "—"} 件
              {progress.total ? `（${Math.floor((progress.done / progress.total) * 100)}%）` : ""}
            </>
          )}
          <progress value={progress.done} max={progress.total || 1} className="block full mt-6" />
        </div>
      ) : null}
      {progress?.state === "done" && closed ? (
        <div className="alert success" role="status">
          請求書を {progress.issued} 件発行し、{label}を締めました。
        </div>
      ) : null}
      {progress?.state === "failed" ? (
        <div className="alert error" role="alert">
          締めに失敗しました: {progress.message}
        </div>
      ) : null}
      {result?.error ? (
        <div className="alert error" role="alert" data-testid="close-error">
          {result.error}
        </div>
      ) : null}
      {confirm ? (
        <section aria-label="締めの確認" className="card mb-16" data-testid="close-confirm">
          <h2>{label}を締めて、次の請求書を発行します。よろしいですか？</h2>
          <p className="muted">締めと発行は取り消せません（訂正は返還請求書で行います）。</p>
          <TableScroll>
            <table className="data">
              <tbody>
                <tr>
                  <th scope="row">発行する請求書</th>
                  <td className="num" data-testid="confirm-count">
                    {confirm.count}件
                  </td>
                </tr>
                <tr>
                  <th scope="row">10%対象</th>
                  <td className="num">{formatYen(confirm.taxable10Yen)}</td>
                </tr>
                <tr>
                  <th scope="row">消費税</th>
                  <td className="num">{formatYen(confirm.tax10Yen)}</td>
                </tr>
                <tr>
                  <th scope="row">{NON_TAXABLE_HEADING}</th>
                  <td className="num">{formatYen(confirm.nonTaxableYen)}</td>
                </tr>
                <tr>
                  <th scope="row">請求総額（税込）</th>
                  <td className="num" data-testid="confirm-total">
                    {formatYen(confirm.totalYen)}
                  </td>
                </tr>
              </tbody>
            </table>
          </TableScroll>
          <Form method="post" className="row mt-12">
            <input type="hidden" name="intent" value="confirm" />
            <input type="hidden" name="count" value={confirm.count} />
            <input type="hidden" name="totalYen" value={confirm.totalYen} />
            <button type="submit" disabled={submitting}>
              {submitting ? "発行しています…" : "確定する"}
            </button>
            <Link to={`/billing/${month}`} className="button secondary">
              戻る
            </Link>
          </Form>
        </section>
      ) : null}
      <p>
        発行済み: {issued.count} 件（{formatYen(issued.totalYen)}）
      </p>
      {problems.length > 0 ? (
        <div className="alert error" role="alert">
          契約データに問題があるため発行できません。
          <ul>
            {problems.map((p, i) => (
              <li key={i}>
                {p.contractRef} {p.path}: {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {issued.count > 0 ? (
        <section aria-label="ダウンロード">
          <h2>ダウンロード</h2>
          <ul>
            <li>
              請求書一覧CSV（<a href={`/billing/${month}/export/invoices`}>UTF-8・Excel用</a> /{" "}
              <a href={`/billing/${month}/export/invoices?encoding=sjis`}>Shift_JIS</a>）
            </li>
            <li>
              請求明細CSV（<a href={`/billing/${month}/export/lines`}>UTF-8・Excel用</a> /{" "}
              <a href={`/billing/${month}/export/lines?encoding=sjis`}>Shift_JIS</a>）
            </li>
            <li>
              <a href={`/billing/${month}/export/journal`}>弥生会計 仕訳インポート用CSV</a>
              （売掛金／売上高／仮受消費税、違約金は雑収入、延滞利息は受取利息。発行月に計上）
            </li>
            <li>
              <a href={`/billing/${month}/pdfs`}>請求書PDFをまとめてダウンロード（ZIP）</a>
            </li>
          </ul>
        </section>
      ) : null}
      {active ? null : closed ? (
        <p className="muted">
          この月は締め済みです。訂正は返還請求書（クレジットノート）で行います。
        </p>
      ) : (
        <>
          <h2>発行プレビュー（まだ何も発行していません）</h2>
          {count === 0 ? (
            <div className="empty">この月に発行する請求書はありません。</div>
          ) : (
            <>
              <TableScroll label="税区分ごとの合計">
                <table className="data" aria-label="税区分ごとの合計">
                  <thead>
                    <tr>
                      <th scope="col">件数</th>
                      <TaxColumnHeads />
                    </tr>
                  </thead>
                  <tbody>
                    <tr>
                      <td data-testid="preview-count">{formatCount(count)}件</td>
                      <td className="num">{formatYen(totals.taxable10Yen)}</td>
                      <td className="num">{formatYen(totals.tax10Yen)}</td>
                      <td className="num">{formatYen(totals.nonTaxableYen)}</td>
                      <td className="num" data-testid="preview-total">
                        {formatYen(totals.totalYen)}
                      </td>
                    </tr>
                  </tbody>
                </table>
              </TableScroll>
              <h2>契約ごとの内訳</h2>
              {count > preview.length ? (
                <p className="muted">
                  契約の番号順に先頭の{formatCount(preview.length)}件を表示しています（全
                  {formatCount(count)}件）。すべての内訳は締めの後のCSVでご確認ください。
                </p>
              ) : null}
              <TableScroll>
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">契約</th>
                      <th scope="col">宛先</th>
                      <th scope="col" className="num">
                        明細
                      </th>
                      <TaxColumnHeads />
                    </tr>
                  </thead>
                  <tbody>
                    {preview.map((p) => (
                      <tr key={p.contractRef}>
                        <td>{p.contractRef}</td>
                        <td>{p.recipient}</td>
                        <td className="num">{p.lines}</td>
                        <td className="num">{formatYen(p.taxable10Yen)}</td>
                        <td className="num">{formatYen(p.tax10Yen)}</td>
                        <td className="num">{formatYen(p.nonTaxableYen)}</td>
                        <td className="num">{formatYen(p.totalYen)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
              {monthOver && problems.length === 0 ? (
                confirm ? null : (
                  <Form method="post" className="mt-20">
                    <input type="hidden" name="intent" value="preview" />
                    <button type="submit" disabled={submitting}>
                      {`${formatCount(count)}件の請求書を発行して${label}を締める`}
                    </button>
                  </Form>
                )
              ) : (
                <p className="muted">月末を過ぎると締められます。</p>
              )}
            </>
          )}
        </>
      )}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.month ?? ""} 請求締め | セキュアライン 管理コンソール` },
];
