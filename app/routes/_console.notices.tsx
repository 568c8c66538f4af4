import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { formClaim, issueFormToken, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { OnceForm } from "~/components/OnceForm";
import { clientIp, requireViewer } from "~/auth/session.server";
import { OPERATIONS_ROLES } from "~/auth/tenancy";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { formValues, parseForm } from "~/lib/form";
import { failureResponse } from "~/lib/result.server";
import { idField } from "~/lib/fields";
import { z } from "zod";
import { jstDate, jstTime } from "~/lib/jst";
import {
  draftServiceNotice,
  NOTICE_AREAS,
  NOTICE_REASONS,
  NOTICE_SORT,
  NOTICE_SORT_LABELS,
  NOTICE_STATE_LABELS,
  ServiceNoticeForm,
  type NoticeSortColumn,
} from "~/notices/service-notice";
import {
  closeServiceNotice,
  pageServiceNotices,
  publishServiceNotice,
} from "~/notices/service-notices.server";
import { formatInstant } from "~/lib/format";
import { pageRequest, sortHref } from "~/lib/paging";
import { Pager } from "~/components/Pager";

/** Ended notices stay listed this long. */
const ENDED_SHOWN_DAYS = 30;
/** Notices are cards with their whole text: 20 keep a page readable (decision 0044). */
const NOTICES_PAGE_SIZE = 20;

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const at = now();
  // Issue 17 item 2: a page of the notices at a time, counted over all of them in SQL.
  const { notices, page } = await pageServiceNotices(
    getDb(),
    {
      tenant: viewer.tenant,
      now: at,
      since: new Date(at.getTime() - ENDED_SHOWN_DAYS * 86_400_000),
    },
    pageRequest(new URL(request.url).searchParams, NOTICE_SORT, { size: NOTICES_PAGE_SIZE }),
  );
  const canPublish = OPERATIONS_ROLES.includes(viewer.role);
  const formToken = canPublish
    ? await issueFormToken(getDb(), { userId: viewer.id, form: "service-notice" })
    : "";
  return { notices, page, canPublish, today: jstDate(at), time: jstTime(at), formToken };
}

// The page's two forms by their intent (issue 16 item 1): an unknown one is a 400, not a notice.
const NoticesForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("close"), id: idField("お知らせ") }),
  ServiceNoticeForm.extend({ intent: z.literal("publish") }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const form = await request.formData();
  const values = formValues(form);
  const actor = { id: viewer.id, email: viewer.email };
  const at = now();
  const parsed = parseForm(NoticesForm, form);
  if (!parsed.ok) return failureResponse(parsed, { values });
  const input = parsed.value;
  if (input.intent === "close") {
    const result = await closeServiceNotice(getDb(), {
      id: input.id,
      at,
      actor,
      ip: clientIp(request),
    });
    if (!result.ok) return failureResponse(result, { values: null });
    return redirect(`/notices?${result.value}=1`);
  }
  const draft = draftServiceNotice(input, at);
  if (!draft.ok) return failureResponse(draft, { values });
  const notice = draft.value;
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, "service-notice", form, request),
    (trx) => publishServiceNotice(trx, { notice, at, actor, ip: clientIp(request) }),
    () => ({ summary: "お知らせは掲載済みです" }),
  );
  if (run.kind !== "done") return onceResponse("service-notice", run);
  return redirect("/notices?published=1");
}

export default function Notices() {
  const { notices, page, canPublish, today, time, formToken } = useLoaderData<typeof loader>();
  const onceAnswer = useActionData<typeof action>();
  const result = onceAnswer && "once" in onceAnswer ? undefined : onceAnswer;
  const [params] = useSearchParams();
  const search = `?${params.toString()}`;
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  const v = (k: string, fallback = "") => result?.values?.[k] ?? fallback;
  const error = (name: string) =>
    errors[name] ? (
      <span className="field-error" id={`${name}-error`}>
        {errors[name]}
      </span>
    ) : null;
  const invalid = (name: string) =>
    errors[name] ? { "aria-invalid": true as const, "aria-describedby": `${name}-error` } : {};
  return (
    <>
      <h1>お知らせ（サービスの利用中止）</h1>
      <p className="muted">
        設備の保守・工事などでサービスを中止するときは、このページで事前にお知らせします。緊急やむを得ない場合は、中止の開始後にお知らせすることがあります（規約第16条）。
      </p>
      {params.get("published") ? (
        <div className="alert success" role="status">
          お知らせを掲載しました。
        </div>
      ) : null}
      {params.get("withdrawn") ? (
        <div className="alert success" role="status">
          お知らせを取り下げました。
        </div>
      ) : null}
      {params.get("ended") ? (
        <div className="alert success" role="status">
          利用中止を終了しました（復旧）。
        </div>
      ) : null}
      {errors._form ? (
        <div className="alert error" role="alert">
          {errors._form}
        </div>
      ) : null}

      {notices.length === 0 ? (
        <div className="empty">現在、予定されている利用中止はありません。</div>
      ) : (
        <>
          <p className="row" data-testid="notice-order">
            並び順：
            {NOTICE_SORT_COLUMNS.map((column) =>
              page.sort === column ? (
                <strong key={column} aria-current="true">
                  {NOTICE_SORT_LABELS[column]}
                </strong>
              ) : (
                <Link key={column} to={sortHref(search, page, column, NOTICE_SORT.columns[column])}>
                  {NOTICE_SORT_LABELS[column]}
                </Link>
              ),
            )}
          </p>
          <Pager info={page} label="お知らせのページ" />
          <ul className="stack plain-list" aria-label="お知らせ">
            {notices.map((n) => (
              <li key={n.id} className="card" data-state={n.state}>
                <h2 className="mt-0">
                  <span className={`badge ${n.state === "current" ? "warn" : ""}`}>
                    {NOTICE_STATE_LABELS[n.state]}
                  </span>
                  {n.emergency ? <span className="badge warn">緊急</span> : null} {n.title}
                </h2>
                <p>
                  <strong>
                    {formatInstant(n.startsAt)} 〜{" "}
                    {n.endsAt ? formatInstant(n.endsAt) : "終了は未定（決まり次第お知らせします）"}
                  </strong>
                  （{NOTICE_AREAS[n.area]}）
                </p>
                <p className="pre-wrap">{n.body}</p>
                <p className="muted">
                  {NOTICE_REASONS[n.reason]}・掲載 {formatInstant(n.publishedAt)}
                </p>
                {canPublish && (n.state === "upcoming" || n.state === "current") ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="close" />
                    <input type="hidden" name="id" value={n.id} />
                    <button type="submit" className="secondary">
                      {n.state === "upcoming" ? "取り下げる（中止しない）" : "終了する（復旧）"}
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
          <Pager info={page} label="お知らせのページ（下）" />
        </>
      )}

      {canPublish ? (
        <OnceForm
          token={formToken}
          form="service-notice"
          method="post"
          className="stack mt-20"
          noValidate
        >
          <h2>お知らせを掲載する</h2>
          {result?.values && !errors._form ? (
            <div className="alert error" role="alert">
              入力内容に誤りがあります。赤字の項目を確認してください。
            </div>
          ) : null}
          <input type="hidden" name="intent" value="publish" />
          <label>
            中止の理由
            <select name="reason" defaultValue={v("reason", "maintenance")} {...invalid("reason")}>
              {Object.entries(NOTICE_REASONS).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
            {error("reason")}
          </label>
          <label>
            対象エリア
            <select name="area" defaultValue={v("area", "all")} {...invalid("area")}>
              {Object.entries(NOTICE_AREAS).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
            {error("area")}
          </label>
          <label>
            件名
            <input
              type="text"
              name="title"
              defaultValue={v("title")}
              maxLength={100}
              {...invalid("title")}
            />
            {error("title")}
          </label>
          <label>
            内容（影響するサービス・お客さまへのお願い）
            <textarea
              name="body"
              rows={4}
              defaultValue={v("body")}
              maxLength={2000}
              {...invalid("body")}
            />
            {error("body")}
          </label>
          <div className="row">
            <label>
              開始日
              <input
                type="date"
                name="startDate"
                defaultValue={v("startDate", today)}
                {...invalid("startDate")}
              />
            </label>
            <label>
              開始時刻
              <input
                type="time"
                name="startTime"
                defaultValue={v("startTime", time)}
                {...invalid("startTime")}
              />
            </label>
          </div>
          {error("startDate")}
          {error("startTime")}
          <div className="row">
            <label>
              終了日（未定なら空欄）
              <input
                type="date"
                name="endDate"
                defaultValue={v("endDate")}
                {...invalid("endDate")}
              />
            </label>
            <label>
              終了時刻
              <input type="time" name="endTime" defaultValue={v("endTime")} />
            </label>
          </div>
          {error("endDate")}
          <label className="check">
            <input type="checkbox" name="emergency" defaultChecked={v("emergency") === "on"} />{" "}
            緊急（すでに始まっている中止を事後にお知らせする）
          </label>
          <button type="submit">お知らせを掲載する</button>
        </OnceForm>
      ) : null}
    </>
  );
}

const NOTICE_SORT_COLUMNS = Object.keys(NOTICE_SORT.columns) as NoticeSortColumn[];

export const meta: MetaFunction = () => [{ title: "お知らせ | セキュアライン 管理コンソール" }];
