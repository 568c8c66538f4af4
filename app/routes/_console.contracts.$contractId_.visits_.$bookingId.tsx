// The operator's record of a visit: what was actually done (prefilled with the booking), priced
// by the billing rules before it is recorded.
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { formClaim, issueFormToken, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { OnceForm } from "~/components/OnceForm";
import { VisitLinesTable } from "~/components/VisitLinesTable";
import { clientIp, requireViewer } from "~/auth/session.server";
import { OPERATIONS_ROLES } from "~/auth/tenancy";
import { VisitWorkFields } from "~/components/VisitWorkFields";
import {
  getBooking,
  priceVisitDone,
  recordableAt,
  recordVisitDone,
  type VisitDone,
} from "~/contracts/visit-bookings.server";
import { formValuesOfVisit, visitContentFromForm, visitFormErrors } from "~/contracts/visit-form";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { formValues, parseForm, type FieldErrors } from "~/lib/form";
import type { Failure } from "~/lib/result";
import { failureResponse } from "~/lib/result.server";
import { z } from "zod";
import { idParam, notFound } from "~/lib/http.server";
import { formatDate, formatYen } from "~/lib/format";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const booking = await getBooking(getDb(), {
    bookingId: idParam(params.bookingId),
    contractId: idParam(params.contractId),
    tenant: viewer.tenant,
  });
  if (!booking) throw notFound();
  return {
    booking: {
      id: booking.id,
      contractId: booking.contract_id,
      contractRef: booking.contract_ref,
      date: booking.visit_date,
      start: booking.start_time,
      status: booking.status,
      estimateYen: booking.estimate_yen,
      recordable: recordableAt(booking, now()),
    },
    booked: { ...formValuesOfVisit(booking.content), start: booking.start_time },
    formToken: await issueFormToken(getDb(), { userId: viewer.id, form: "visit-record" }),
  };
}

// The record form's two buttons, one schema (issue 16 item 1): an intent neither sends is a 400.
// The work fields are read by visitContentFromForm, shared with the booking form.
const RecordForm = z.discriminatedUnion("intent", [
  z.looseObject({ intent: z.literal("price"), start: z.string().default("") }),
  z.looseObject({ intent: z.literal("record"), start: z.string().default("") }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const form = await request.formData();
  const values = formValues(form);
  const refused = (failure: Failure) => failureResponse(failure, { values, estimate: null });
  const parsed = parseForm(RecordForm, form);
  if (!parsed.ok) return refused(parsed);
  const content = visitContentFromForm(form);
  if (!content.ok) return refused(content);
  const done: VisitDone = { ...content.value, start: parsed.value.start };
  const ids = {
    bookingId: idParam(params.bookingId),
    contractId: idParam(params.contractId),
    tenant: viewer.tenant,
  };
  const db = getDb();
  if (parsed.value.intent === "record") {
    const run = await runFormOnce(
      db,
      formClaim(viewer, "visit-record", form, request),
      (trx) =>
        recordVisitDone(trx, {
          ...ids,
          done,
          at: now(),
          actor: { id: viewer.id, email: viewer.email },
          ip: clientIp(request),
        }),
      (r) =>
        r.ok
          ? { summary: "訪問の実施は記録済みです", redirect: `/contracts/${ids.contractId}/visits` }
          : null,
    );
    if (run.kind !== "done") return onceResponse("visit-record", run);
    if (!run.value.ok) return refused(run.value);
    return redirect(`/contracts/${ids.contractId}/visits?recorded=1`);
  }
  const estimate = await priceVisitDone(db, { ...ids, done });
  if (!estimate.ok) return refused(estimate);
  return data({ errors: {} as FieldErrors, values, estimate: estimate.value });
}

export default function RecordVisit() {
  const { booking, booked, formToken } = useLoaderData<typeof loader>();
  const onceAnswer = useActionData<typeof action>();
  const result = onceAnswer && "once" in onceAnswer ? undefined : onceAnswer;
  const { error, fieldError } = visitFormErrors(result?.errors);
  const v = (k: string, fallback = "") =>
    result?.values
      ? (result.values[k] ?? fallback)
      : (booked[k as keyof typeof booked] ?? fallback);
  return (
    <>
      <p>
        <Link to={`/contracts/${booking.contractId}/visits`}>
          ← 訪問サポート（{booking.contractRef}）
        </Link>
      </p>
      <h1>訪問の実施記録（{formatDate(booking.date)}）</h1>
      {booking.status !== "booked" ? (
        <div className="alert" role="status">
          この予約は
          {booking.status === "done" ? "実施済みとして記録されています" : "取り消されています"}。
        </div>
      ) : !booking.recordable ? (
        <div className="alert" role="status" data-testid="not-yet">
          予約の開始日時（{formatDate(booking.date)} {booking.start}
          ）より前には実施内容を記録できません。訪問の開始後に記録してください。
        </div>
      ) : (
        <>
          <p className="muted">
            予約時の内容を表示しています。実際に行った作業と数量に直して記録してください。作業の成否にかかわらず料金がかかります（規約第24条第3項）。予約時の見積り:{" "}
            {formatYen(booking.estimateYen)}（税抜）
          </p>
          {error ? (
            <div className="alert error" role="alert" data-testid="record-error">
              {error}
            </div>
          ) : null}
          <OnceForm token={formToken} form="visit-record" method="post" className="stack max-640">
            <label>
              開始時刻
              <input type="time" name="start" defaultValue={v("start")} step={60} required />
            </label>
            <VisitWorkFields
              legend="実施した作業（基本作業料は毎回かかります）"
              v={v}
              error={fieldError}
            />
            <div className="row">
              <button type="submit" name="intent" value="price" className="secondary">
                料金を確認する
              </button>
              <button type="submit" name="intent" value="record">
                この内容で実施を記録する
              </button>
            </div>
          </OnceForm>
          {result?.estimate ? (
            <section aria-label="実績の料金" className="mt-20">
              <h2>請求される料金（税抜）</h2>
              <p data-testid="free-visit">
                {result.estimate.freeVisit
                  ? "この訪問は契約年度1回の無料訪問です（●印の作業が無料）。"
                  : "無料訪問の対象ではありません。"}
              </p>
              <VisitLinesTable
                label="請求される料金（税抜）"
                lines={result.estimate.lines}
                totalYen={result.estimate.totalYen}
                totalTestId="done-total"
              />
            </section>
          ) : null}
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [
  { title: "訪問の実施記録 | セキュアライン 管理コンソール" },
];
