import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { clientIp, requireViewer } from "~/auth/session.server";
import { OPERATIONS_ROLES } from "~/auth/tenancy";
import { OnceForm } from "~/components/OnceForm";
import { ActionsHeader } from "~/components/TableScroll";
import { VisitLinesTable } from "~/components/VisitLinesTable";
import { VisitWorkFields } from "~/components/VisitWorkFields";
import {
  BOOKING_SORT,
  bookingFormFacts,
  bookVisit,
  checkBooking,
  listBookings,
  type BookingCheck,
  type BookingRequest,
} from "~/contracts/visit-bookings.server";
import { visitContentFromForm, visitFormErrors } from "~/contracts/visit-form";
import type { VisitSlot } from "~/contracts/visit-slots";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { formValues, parseForm, type FieldErrors } from "~/lib/form";
import type { Failure } from "~/lib/result";
import { failureResponse } from "~/lib/result.server";
import { z } from "zod";
import { formClaim, issueFormToken, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { idParam, notFound } from "~/lib/http.server";
import { isIsoDate, isTimeOfDay, type IsoDate } from "~/lib/jst";
import { AREA_LABELS } from "~/lib/labels";
import { formatDate, formatDateWithWeekday, formatYen } from "~/lib/format";
import { pageRequest } from "~/lib/paging";
import { PagedTable, SortHeader } from "~/components/Pager";

/** Bookings a page below the booking form (issue 17 item 2, decision 0044). */
const BOOKINGS_PAGE_SIZE = 20;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const found = await listBookings(
    getDb(),
    idParam(params.contractId),
    viewer.tenant,
    now(),
    pageRequest(new URL(request.url).searchParams, BOOKING_SORT, { size: BOOKINGS_PAGE_SIZE }),
  );
  if (!found) throw notFound();
  return {
    ...found,
    ...(await bookingFormFacts(getDb(), found.contract.area, now())),
    isOperator: OPERATIONS_ROLES.includes(viewer.role),
    formToken: await issueFormToken(getDb(), { userId: viewer.id, form: "visit-booking" }),
  };
}

// The booking form's two buttons, one schema (issue 16 item 1): an intent neither sends is a 400.
// The work fields (counts, volumes) are read by visitContentFromForm, shared with the record form.
const slotFields = {
  date: z
    .string({ error: "訪問日と開始時刻を正しく入力してください" })
    .refine((v): v is IsoDate => isIsoDate(v), "訪問日と開始時刻を正しく入力してください"),
  start: z
    .string({ error: "訪問日と開始時刻を正しく入力してください" })
    .refine(isTimeOfDay, "訪問日と開始時刻を正しく入力してください"),
};
const BookingForm = z.discriminatedUnion("intent", [
  z.looseObject({ intent: z.literal("estimate"), ...slotFields }),
  z.looseObject({ intent: z.literal("book"), ...slotFields }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request);
  const form = await request.formData();
  const db = getDb();
  const contractId = idParam(params.contractId);
  const values = formValues(form);
  const refused = (failure: Failure, next: VisitSlot | null = null) =>
    failureResponse(failure, { values, estimate: null, next });
  const parsed = parseForm(BookingForm, form);
  if (!parsed.ok) return refused(parsed);
  const content = visitContentFromForm(form);
  if (!content.ok) return refused(content);
  const { intent, date, start } = parsed.value;
  const booking: BookingRequest = { ...content.value, date, start };
  const args = { contractId, tenant: viewer.tenant, request: booking, at: now() };
  let result: BookingCheck;
  if (intent === "book") {
    // Booked once per form: a double click or a reload of the answer books nothing twice.
    const run = await runFormOnce(
      db,
      formClaim(viewer, "visit-booking", form, request),
      (trx) =>
        bookVisit(trx, {
          ...args,
          actor: { id: viewer.id, email: viewer.email },
          ip: clientIp(request),
        }),
      (r) =>
        r.ok
          ? {
              summary: `${formatDate(booking.date)} ${booking.start}の訪問の予約`,
              redirect: `/contracts/${contractId}/visits`,
            }
          : null,
    );
    if (run.kind !== "done") return onceResponse("visit-booking", run);
    result = run.value;
  } else {
    result = await checkBooking(db, args);
  }
  if (!result.ok) return refused(result, result.next ?? null);
  if (intent === "book") return redirect(`/contracts/${contractId}/visits?booked=1`);
  return data({ errors: {} as FieldErrors, values, estimate: result.value, next: null });
}

export default function Visits() {
  const { contract, bookings, page, isOperator, formToken, nextSlot, menuPrices, tariffFrom } =
    useLoaderData<typeof loader>();
  const basePrice = menuPrices.find((p) => p.code === "visit.base");
  const answer = useActionData<typeof action>();
  const result = answer && "values" in answer ? answer : undefined;
  const { error, fieldError } = visitFormErrors(result?.errors);
  const [params] = useSearchParams();
  const v = (k: string, fallback = "") => result?.values?.[k] ?? fallback;
  return (
    <>
      <p>
        <Link to={`/contracts/${contract.id}`}>← 契約 {contract.ref}</Link>
      </p>
      <h1>訪問サポート（{AREA_LABELS[contract.area]}エリア）</h1>
      {/* S2 (docs/rules/terms.md "Visit support"): visit hours by area, request hours, and the next slot. */}
      <div className="booking-hours" data-testid="booking-hours">
        <p>
          訪問は9:00〜17:00、{contract.area === "west" ? "月曜〜土曜" : "月曜〜金曜"}
          （祝日・12/29〜1/3を除く）です。ご依頼は9:00〜21:00に承ります。作業の成否にかかわらず料金がかかります（規約第24条第3項）。
        </p>
        <p>
          次に予約できる枠：
          <strong data-testid="next-bookable">
            {formatDateWithWeekday(nextSlot.date)} {nextSlot.start}
          </strong>
        </p>
        {basePrice ? (
          <p className="muted">
            基本作業料は1回 {formatYen(basePrice.priceYen)}（税込{" "}
            {formatYen(basePrice.priceWithTaxYen)}）です。料金は{formatDate(tariffFrom)}
            からの料金表によります（税抜価格に消費税10%がかかります）。
          </p>
        ) : null}
      </div>
      {params.get("booked") ? (
        <div className="alert success" role="status">
          訪問を予約しました。
        </div>
      ) : null}
      {params.get("recorded") ? (
        <div className="alert success" role="status">
          訪問の実施を記録しました。料金は訪問月の請求書に計上されます。
        </div>
      ) : null}
      {error ? (
        <div className="alert error" role="alert" data-testid="booking-error">
          {error}
          {result?.next ? (
            <>
              {" "}
              次に予約できる枠は{" "}
              <strong data-testid="next-slot">
                {formatDate(result.next.date)} {result.next.start}
              </strong>{" "}
              です。
            </>
          ) : null}
        </div>
      ) : null}
      <OnceForm token={formToken} form="visit-booking" method="post" className="stack max-640">
        <div className="row">
          <label>
            訪問日
            <input
              type="date"
              name="date"
              defaultValue={result?.next?.date ?? v("date", nextSlot.date)}
              required
            />
          </label>
          <label>
            開始時刻
            <input
              type="time"
              name="start"
              defaultValue={result?.next?.start ?? v("start", nextSlot.start)}
              step={1800}
              required
            />
          </label>
        </div>
        <VisitWorkFields
          legend="作業内容（基本作業料は毎回かかります）"
          v={v}
          error={fieldError}
          prices={menuPrices}
        />
        <div className="row">
          <button type="submit" name="intent" value="estimate" className="secondary">
            料金を見積もる
          </button>
          <button type="submit" name="intent" value="book">
            この内容で予約する
          </button>
        </div>
      </OnceForm>
      {result?.estimate ? (
        <section aria-label="見積り" className="mt-20">
          <h2>お見積り</h2>
          <p data-testid="free-visit">
            {result.estimate.freeVisit
              ? "この訪問は契約年度1回の無料訪問です（●印の作業が無料）。"
              : result.estimate.freeVisitAvailable
                ? "この契約年度の無料訪問はまだ利用できます（●印の作業を含む訪問に適用）。"
                : "この契約年度の無料訪問は利用済みです。"}
          </p>
          <VisitLinesTable
            label="お見積り（税抜）"
            lines={result.estimate.lines}
            totalYen={result.estimate.totalYen}
            totalTestId="estimate-total"
          >
            <tr>
              <td colSpan={3}>消費税（10%）</td>
              <td className="num">{formatYen(result.estimate.taxYen)}</td>
            </tr>
            <tr>
              <th scope="row" colSpan={3}>
                合計（税込）
              </th>
              <td className="num" data-testid="estimate-total-with-tax">
                {formatYen(result.estimate.totalYen + result.estimate.taxYen)}
              </td>
            </tr>
          </VisitLinesTable>
        </section>
      ) : null}
      <h2>予約と実績</h2>
      {bookings.length === 0 ? (
        <div className="empty">訪問の予約はありません。</div>
      ) : (
        <PagedTable page={page} label="予約と実績のページ">
          <thead>
            <tr>
              <SortHeader info={page} column="date" first="desc">
                訪問日時
              </SortHeader>
              <th scope="col" className="num">
                料金（税抜）
              </th>
              <th scope="col">状態</th>
              {isOperator ? <ActionsHeader /> : null}
            </tr>
          </thead>
          <tbody data-testid="bookings">
            {bookings.map((b) => (
              <tr key={b.id} data-testid={`booking-${b.id}`}>
                <td>
                  {formatDate(b.visit_date)} {b.start_time}
                </td>
                {/* Once recorded, what the visit is charged (as the billing run prices it), not the estimate. */}
                <td className="num" data-testid="booking-amount">
                  {b.chargedYen !== null ? (
                    <>
                      請求額 {formatYen(b.chargedYen)}
                      <br />
                      <span className="muted">（見積 {formatYen(b.estimate_yen)}）</span>
                    </>
                  ) : (
                    <>見積 {formatYen(b.estimate_yen)}</>
                  )}
                </td>
                <td>
                  {b.status === "booked" ? "予約済み" : b.status === "done" ? "実施済み" : "取消し"}
                </td>
                {isOperator ? (
                  <td>
                    {b.recordable ? (
                      <Link to={`/contracts/${contract.id}/visits/${b.id}`}>実施内容を記録</Link>
                    ) : b.status === "booked" ? (
                      <span className="muted">開始日時から記録できます</span>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </PagedTable>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "訪問サポート | セキュアライン 管理コンソール" }];
