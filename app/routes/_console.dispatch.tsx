import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LinksFunction,
  type LoaderFunctionArgs,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { formClaim, issueFormToken, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { OnceForm } from "~/components/OnceForm";
import { TableScroll } from "~/components/TableScroll";
import { Pager } from "~/components/Pager";
import { pageRequest } from "~/lib/paging";
import { z } from "zod";
import { clientIp, requireViewer } from "~/auth/session.server";
import { OPERATIONS_ROLES } from "~/auth/tenancy";
import chartStyles from "~/components/charts/charts.css";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { checkboxField, idField } from "~/lib/fields";
import { formValues, parseForm, type FieldErrors } from "~/lib/form";
import { invalidField } from "~/lib/result";
import { failureResponse } from "~/lib/result.server";
import { isIsoDate, isTimeOfDay, jstDate, jstInstant, jstTime } from "~/lib/jst";
import { AREA_LABELS, itemLabel } from "~/lib/labels";
import {
  contractGateway,
  contractsWithGateway,
  GATEWAY_MODEL_LABELS,
  quoteDispatch,
  GATEWAY_FAILURE_SORT,
  pageGatewayFailures,
  recordGatewayFailure,
} from "~/security/gateway-failures.server";
import { formatInstantWithWeekday } from "~/lib/format";
import { titled } from "~/lib/meta";

/** Built when used, so that the browser bundle carries neither zod's schema nor the calendar module. */
function dispatchForm() {
  const fields = {
    contract: idField("契約"),
    date: z
      .string({ error: "受付日を入力してください" })
      .refine(isIsoDate, "受付日を正しく入力してください（例：2026-11-28）"),
    time: z
      .string({ error: "受付時刻を入力してください" })
      .refine(isTimeOfDay, "受付時刻を「10:30」の形で入力してください"),
    notes: z.string().trim().max(1000, "メモは1000文字以内で入力してください").default(""),
    customerFault: checkboxField(),
  };
  // The form's two buttons, one schema (issue 16 item 1): any other intent is a 400.
  return z.discriminatedUnion("intent", [
    z.object({ intent: z.literal("quote"), ...fields }),
    z.object({ intent: z.literal("record"), ...fields }),
  ]);
}

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const at = now();
  const db = getDb();
  const [contracts, { failures: recent, page }] = await Promise.all([
    contractsWithGateway(db, viewer.tenant, jstDate(at)),
    pageGatewayFailures(
      db,
      viewer.tenant,
      pageRequest(new URL(request.url).searchParams, GATEWAY_FAILURE_SORT),
    ),
  ]);
  return {
    contracts: contracts.map((c) => ({
      id: c.contractId,
      label: `${c.contractRef} ${c.customerName} — ${AREA_LABELS[c.area]}・${GATEWAY_MODEL_LABELS[c.model]}・24時間オプション${c.repair24h ? "あり" : "なし"}`,
    })),
    recent,
    page,
    defaults: { date: jstDate(at), time: jstTime(at) },
    formToken: await issueFormToken(getDb(), { userId: viewer.id, form: "dispatch" }),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const form = await request.formData();
  const values = formValues(form);
  const parsed = parseForm(dispatchForm(), form);
  if (!parsed.ok) return failureResponse(parsed, { quote: null, values });
  const input = parsed.value;
  const at = now();
  const reportedAt = jstInstant(input.date, input.time);
  if (reportedAt.getTime() > at.getTime())
    return failureResponse(invalidField("time", "受付日時が現在より後になっています"), {
      quote: null,
      values,
    });
  const gateway = await contractGateway(getDb(), {
    contractId: input.contract,
    tenant: viewer.tenant,
    at: reportedAt,
  });
  if (!gateway)
    return failureResponse(
      invalidField("contract", "この契約には受付日の時点でゲートウェイ装置の契約がありません"),
      { quote: null, values },
    );
  const quote = quoteDispatch(gateway, reportedAt);
  if (input.intent === "quote") return data({ errors: {} as FieldErrors, quote, values });
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, "dispatch", form, request),
    (trx) =>
      recordGatewayFailure(trx, {
        quote,
        customerFault: input.customerFault,
        notes: input.notes,
        at,
        actor: { id: viewer.id, email: viewer.email },
        ip: clientIp(request),
      }),
    () => ({ summary: "故障の受付は記録済みです" }),
  );
  if (run.kind !== "done") return onceResponse("dispatch", run);
  const id = run.value;
  return redirect(`/dispatch?recorded=${id}`);
}

export default function Dispatch() {
  const { contracts, recent, page, defaults, formToken } = useLoaderData<typeof loader>();
  const onceAnswer = useActionData<typeof action>();
  const actionData = onceAnswer && "once" in onceAnswer ? undefined : onceAnswer;
  const [params] = useSearchParams();
  const errors: FieldErrors = actionData?.errors ?? {};
  const values = actionData?.values ?? {};
  const quote = actionData?.quote ?? null;
  const recorded =
    params.get("recorded") && !actionData
      ? recent.find((r) => String(r.id) === params.get("recorded"))
      : undefined;
  return (
    <>
      <p>
        <Link to="/calls">← 電話連絡</Link>
      </p>
      <h1>ゲートウェイ故障の受付</h1>
      <p className="muted">
        ゲートウェイ装置の故障連絡を受け付け、出張交換の最短出動日時を確認して記録します（S1-4④）。
        最短出動日時は規約上の目安で、担当者の手配により翌営業日以降になる場合があります。
      </p>
      {recorded ? (
        <div className="alert success" role="status" data-testid="recorded">
          記録しました：{recorded.contract_ref} {recorded.customer_name}、最短出動{" "}
          {formatInstantWithWeekday(recorded.earliest_dispatch_at)}
        </div>
      ) : null}
      {Object.keys(errors).length ? (
        <div className="alert error" role="alert">
          {errors._form ?? "入力内容に誤りがあります。赤字の項目を確認してください。"}
        </div>
      ) : null}

      <div className="panel-grid">
        <section className="panel" aria-labelledby="report">
          <h2 id="report">故障の受付</h2>
          <OnceForm
            token={formToken}
            form="dispatch"
            method="post"
            className="stack max-none"
            noValidate
          >
            <label>
              契約
              <select
                name="contract"
                defaultValue={values.contract ?? ""}
                aria-invalid={errors.contract ? true : undefined}
              >
                <option value="" disabled>
                  契約を選んでください
                </option>
                {contracts.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.label}
                  </option>
                ))}
              </select>
              {errors.contract ? <span className="field-error">{errors.contract}</span> : null}
            </label>
            <div className="inline">
              <label>
                受付日
                <input
                  type="date"
                  name="date"
                  defaultValue={values.date ?? defaults.date}
                  aria-invalid={errors.date ? true : undefined}
                />
                {errors.date ? <span className="field-error">{errors.date}</span> : null}
              </label>
              <label>
                受付時刻
                <input
                  type="time"
                  name="time"
                  defaultValue={values.time ?? defaults.time}
                  aria-invalid={errors.time ? true : undefined}
                />
                {errors.time ? <span className="field-error">{errors.time}</span> : null}
              </label>
            </div>
            <label className="check">
              <input
                type="checkbox"
                name="customerFault"
                defaultChecked={values.customerFault === "on"}
              />
              お客さまの責による故障（出動費・技術料・部品代を請求）
            </label>
            <label>
              メモ
              <textarea
                name="notes"
                rows={3}
                defaultValue={values.notes ?? ""}
                aria-invalid={errors.notes ? true : undefined}
                placeholder="例：電源ランプが点灯しない。ご担当 佐藤さま"
              />
              {errors.notes ? <span className="field-error">{errors.notes}</span> : null}
            </label>
            <div className="row">
              <button type="submit" name="intent" value="quote" className="secondary">
                最短出動日時を確認
              </button>
              <button type="submit" name="intent" value="record">
                故障を記録する
              </button>
            </div>
          </OnceForm>
        </section>

        <section className="panel" aria-labelledby="quote" aria-live="polite">
          <h2 id="quote">最短出動日時</h2>
          {quote ? (
            <div data-testid="dispatch-quote">
              <div className="result-time">
                {formatInstantWithWeekday(quote.earliestDispatchAt)}
              </div>
              <p className="m-0 mb-12">{quote.rule}</p>
              <dl className="facts narrow-terms">
                <dt>契約</dt>
                <dd>
                  {quote.gateway.contractRef} {quote.gateway.customerName}
                </dd>
                <dt>装置</dt>
                <dd>{itemLabel(`gateway.${quote.gateway.model}`)}</dd>
                <dt>エリア</dt>
                <dd>{AREA_LABELS[quote.gateway.area]}</dd>
                <dt>24時間オプション</dt>
                <dd>{quote.gateway.repair24h ? "あり" : "なし"}</dd>
                <dt>受付</dt>
                <dd>{formatInstantWithWeekday(quote.reportedAt)}</dd>
              </dl>
            </div>
          ) : (
            <div className="empty">
              契約と受付日時を入力して「最短出動日時を確認」を押すと、ここに表示します。
            </div>
          )}
        </section>
      </div>

      <section className="panel mt-16" aria-labelledby="recent">
        <h2 id="recent">最近の故障受付</h2>
        {recent.length === 0 ? (
          <div className="empty">故障の受付はまだありません。</div>
        ) : (
          <>
            <Pager info={page} label="故障受付のページ" />
            <TableScroll label="最近の故障受付">
              <table className="data compact" aria-label="最近の故障受付">
                <thead>
                  <tr>
                    <th scope="col">受付日時</th>
                    <th scope="col">契約</th>
                    <th scope="col">お客さま</th>
                    <th scope="col">エリア</th>
                    <th scope="col">最短出動</th>
                    <th scope="col">起因</th>
                    <th scope="col">メモ</th>
                    <th scope="col">記録者</th>
                  </tr>
                </thead>
                <tbody>
                  {recent.map((r) => (
                    <tr key={r.id} data-failure-id={r.id}>
                      <td>{formatInstantWithWeekday(r.reported_at)}</td>
                      <td>
                        <Link to={`/contracts/${r.contract_id}`}>{r.contract_ref}</Link>
                      </td>
                      <td>{r.customer_name}</td>
                      <td>{AREA_LABELS[r.area]}</td>
                      <td className="strong">{formatInstantWithWeekday(r.earliest_dispatch_at)}</td>
                      <td>
                        {r.customer_fault ? (
                          <span className="badge warn">お客さま（有償）</span>
                        ) : (
                          "装置"
                        )}
                      </td>
                      <td className="pre-wrap">{r.notes ?? "—"}</td>
                      <td>{r.recorded_by}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            <Pager info={page} label="故障受付のページ（下）" />
          </>
        )}
      </section>
    </>
  );
}

export const links: LinksFunction = () => [{ rel: "stylesheet", href: chartStyles }];

export const meta = titled("ゲートウェイ故障の受付");
