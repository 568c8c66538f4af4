import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { clientIp, requireViewer } from "~/auth/session.server";
import { TableScroll } from "~/components/TableScroll";
import { getContract } from "~/contracts/contracts.server";
import {
  pendingTermination,
  requestCancellation,
  terminationQuote,
  withdrawCancellation,
} from "~/contracts/cancellation.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { idParam, notFound } from "~/lib/http.server";
import { dateField } from "~/lib/fields";
import { parseForm } from "~/lib/form";
import { formClaim, issueFormTokens, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { OnceForm } from "~/components/OnceForm";
import { z } from "zod";
import { isIsoDate, jstDate } from "~/lib/jst";
import { formatDate, formatYen } from "~/lib/format";
import { firstFailureResponse, firstFieldErrorResponse } from "~/lib/result.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const db = getDb();
  const id = idParam(params.contractId);
  const found = await getContract(db, { id, tenant: viewer.tenant });
  if (!found) throw notFound();
  const today = jstDate(now());
  const wishedParam = new URL(request.url).searchParams.get("wished") ?? "";
  const wished = isIsoDate(wishedParam) && wishedParam >= today ? wishedParam : today;
  const pending = await pendingTermination(db, id);
  const quote =
    found.contract.status === "terminated"
      ? null
      : await terminationQuote(db, {
          contractId: id,
          tenant: viewer.tenant,
          wished,
          confirmedOn: today,
        });
  // Requesting and withdrawing carry one-time tokens (issue 17 item 1): a second click files nothing twice.
  const formTokens = await issueFormTokens(db, { userId: viewer.id, forms: CANCEL_FORMS });
  return {
    formTokens,
    contract: {
      id,
      ref: found.contract.ref,
      status: found.contract.status,
      serviceStart: found.contract.service_start,
      terminationDate: found.contract.termination_date,
    },
    today,
    wished,
    quote,
    invalidWished: wishedParam !== "" && wishedParam !== wished,
    pending: pending
      ? {
          requestedOn: pending.requested_on,
          wishedDate: pending.wished_date,
          confirmedOn: pending.confirmed_on,
        }
      : null,
  };
}

const CANCEL_FORMS = ["cancellation-request", "cancellation-withdraw"] as const;

// The page's two forms (issue 16 item 1): an unknown intent is a 400, not a cancellation request.
const CancelForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("request"), wished: dateField("解約希望日") }),
  z.object({ intent: z.literal("withdraw") }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request);
  const form = await request.formData();
  const id = idParam(params.contractId);
  const parsed = parseForm(CancelForm, form);
  if (!parsed.ok) return firstFieldErrorResponse(parsed.fields);
  const input = parsed.value;
  const base = {
    contractId: id,
    tenant: viewer.tenant,
    today: jstDate(now()),
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  };
  const name = input.intent === "withdraw" ? "cancellation-withdraw" : "cancellation-request";
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, name, form, request),
    (trx) =>
      input.intent === "withdraw"
        ? withdrawCancellation(trx, { ...base, at: now() })
        : requestCancellation(trx, { ...base, wished: input.wished }),
    (r) =>
      r.ok
        ? {
            summary:
              input.intent === "withdraw"
                ? "解約のお申し込みは取り消し済みです"
                : "解約のお申し込みは受付済みです",
            redirect: `/contracts/${id}/cancel`,
          }
        : null,
  );
  if (run.kind !== "done") return onceResponse(name, run);
  const result = run.value;
  // A request the contract's state refuses is 409, a past wished date 400, a foreign contract 404.
  if (!result.ok) return firstFailureResponse(result);
  return redirect(
    `/contracts/${id}/cancel?done=${input.intent === "withdraw" ? "withdrawn" : "requested"}`,
  );
}

export default function CancelContract() {
  const { contract, today, wished, quote, pending, invalidWished, formTokens } =
    useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const error = answer && "field" in answer ? answer : undefined;
  return (
    <>
      <p>
        <Link to={`/contracts/${contract.id}`}>← 契約 {contract.ref}</Link>
      </p>
      <h1>解約の手続き（契約 {contract.ref}）</h1>
      {error ? (
        <div className="alert error" role="alert">
          {error.message}
        </div>
      ) : null}
      {pending ? (
        <div className="alert success" role="status" data-testid="pending">
          {pending.confirmedOn ? (
            <>
              解約が確定しています。解約日は <strong>{formatDate(contract.terminationDate)}</strong>{" "}
              です（{formatDate(pending.confirmedOn)} 確認）。
            </>
          ) : (
            <>
              {formatDate(pending.requestedOn)} に解約のお申し込み（希望日{" "}
              {formatDate(pending.wishedDate)}）を受け付けました。当社の確認をお待ちください。
            </>
          )}
          {!contract.terminationDate || contract.terminationDate > today ? (
            <OnceForm
              className="mt-8"
              token={formTokens["cancellation-withdraw"]}
              form="cancellation-withdraw"
              method="post"
            >
              <input type="hidden" name="intent" value="withdraw" />
              <button type="submit" className="secondary">
                解約のお申し込みを取り消す
              </button>
            </OnceForm>
          ) : null}
        </div>
      ) : null}
      {quote && !pending ? (
        <>
          <p>
            解約希望日を選ぶと、その日に解約したときの費用をすぐに計算します。お申し込みの前に必ずご確認ください。
          </p>
          <Form method="get" className="filters">
            <label>
              解約希望日
              <input type="date" name="wished" defaultValue={wished} min={today} />
            </label>
            <button type="submit" className="secondary">
              費用を計算する
            </button>
          </Form>
          {invalidWished ? (
            <p className="field-error">
              解約希望日は本日以降の日付にしてください。本日で計算しています。
            </p>
          ) : null}
          <TableScroll label="解約の見積り">
            <table className="data max-720" aria-label="解約の見積り">
              <tbody>
                <tr>
                  <th scope="row">解約日</th>
                  <td data-testid="quote-termination-date">{formatDate(quote.terminationDate)}</td>
                </tr>
                <tr>
                  <td colSpan={2} className="muted">
                    解約日は、ご希望日と当社が手続きを終える日のいずれか遅い日です（規約第20条）。本日お申し込み・本日確認の場合で、本日時点の料金表で計算しています。
                  </td>
                </tr>
                <tr>
                  <th scope="row">料金をいただく月数</th>
                  <td>
                    {quote.chargedMonths}
                    か月（利用開始月から解約日の前月まで。解約月の月額料金はかかりません）
                  </td>
                </tr>
                <tr>
                  <th scope="row">最低利用期間の残り</th>
                  <td>{quote.remainingMonths}か月</td>
                </tr>
                <tr>
                  <th scope="row">解約違約金（不課税）</th>
                  <td data-testid="quote-etf">
                    <strong>{formatYen(quote.etfYen)}</strong>
                    {quote.etfYen > 0
                      ? `（基本料金 × 残り${quote.remainingMonths}か月）`
                      : "（かかりません）"}
                  </td>
                </tr>
                <tr>
                  <th scope="row">違約金がかからない最も近い日</th>
                  <td data-testid="quote-fee-free">
                    {formatDate(quote.feeFreeDate)}
                    {quote.feeFreeDate === wished ? "（ご希望日は契約更新月です）" : ""}
                  </td>
                </tr>
              </tbody>
            </table>
          </TableScroll>
          <p className="muted">
            違約金は解約日の属する月の請求書に計上されます。レンタルのゲートウェイ装置は解約後にご返却ください（返却がない場合は機器代金がかかります）。
          </p>
          <OnceForm
            className="mt-16"
            token={formTokens["cancellation-request"]}
            form="cancellation-request"
            method="post"
          >
            <input type="hidden" name="intent" value="request" />
            <input type="hidden" name="wished" value={wished} />
            <button type="submit">
              {formatDate(wished)} で解約を申し込む（違約金 {formatYen(quote.etfYen)}）
            </button>
          </OnceForm>
        </>
      ) : null}
      {contract.status === "terminated" && !pending ? <p>この契約は解約済みです。</p> : null}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `解約の手続き ${data?.contract.ref ?? ""} | セキュアライン 管理コンソール` },
];
