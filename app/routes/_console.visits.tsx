import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { TableScroll } from "~/components/TableScroll";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { OPERATIONS_ROLES } from "~/auth/tenancy";
import { KeepSort, Pager } from "~/components/Pager";
import { pageVisitSchedule, VISIT_SCHEDULE_SORT } from "~/contracts/visit-schedule.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { formatCount, formatDateWithWeekday, formatYen } from "~/lib/format";
import { addDays, isIsoDate, jstDate } from "~/lib/jst";
import { AREA_LABELS } from "~/lib/labels";
import { pageRequest } from "~/lib/paging";

/** The schedule shows two weeks from today unless another range is asked for. */
const DEFAULT_DAYS = 14;

const STATUS_LABELS: Record<string, string> = {
  booked: "予約済み",
  done: "実施済み",
  cancelled: "取消し",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const params = new URL(request.url).searchParams;
  const today = jstDate(now());
  const fromParam = params.get("from");
  const toParam = params.get("to");
  const from = isIsoDate(fromParam) ? fromParam : today;
  const to = isIsoDate(toParam) && toParam >= from ? toParam : addDays(from, DEFAULT_DAYS - 1);
  const areaParam = params.get("area");
  const area = areaParam === "east" || areaParam === "west" ? areaParam : undefined;
  const { bookings, page } = await pageVisitSchedule(
    getDb(),
    viewer.tenant,
    { from, to, area },
    pageRequest(params, VISIT_SCHEDULE_SORT),
  );
  return { bookings, page, filter: { from, to, area: area ?? "" } };
}

export default function VisitSchedule() {
  const { bookings, page, filter } = useLoaderData<typeof loader>();
  // Rows come ordered by day, then area: a heading row starts each day of this page.
  const days = new Map<string, typeof bookings>();
  for (const b of bookings) days.set(b.visit_date, [...(days.get(b.visit_date) ?? []), b]);
  return (
    <>
      <h1>訪問予定</h1>
      <p className="muted">
        全契約の訪問サポートの予約を、日ごと・エリアごとに表示します。訪問は9:00〜17:00、東日本エリアは月曜〜金曜、西日本エリアは月曜〜土曜です（祝日・12/29〜1/3を除く）。
      </p>
      <Form method="get" className="filters" aria-label="訪問予定の絞り込み">
        <label>
          開始日
          <input type="date" name="from" defaultValue={filter.from} />
        </label>
        <label>
          終了日
          <input type="date" name="to" defaultValue={filter.to} />
        </label>
        <label>
          エリア
          <select name="area" defaultValue={filter.area}>
            <option value="">すべて</option>
            <option value="east">東日本</option>
            <option value="west">西日本</option>
          </select>
        </label>
        <KeepSort info={page} />
        <button type="submit">表示</button>
      </Form>
      <p data-testid="schedule-count">{formatCount(page.total)}件の予約</p>
      {bookings.length === 0 ? (
        <div className="empty">この期間の訪問予約はありません。</div>
      ) : (
        <>
          <Pager info={page} label="訪問予定のページ" />
          <TableScroll label="訪問予定">
            <table className="data" aria-label="訪問予定">
              <thead>
                <tr>
                  <th scope="col">開始</th>
                  <th scope="col">エリア</th>
                  <th scope="col">お客さま・契約</th>
                  <th scope="col">状態</th>
                  <th scope="col" className="num">
                    見積（税抜）
                  </th>
                </tr>
              </thead>
              {[...days].map(([day, rows]) => (
                <tbody key={day} data-day={day}>
                  <tr>
                    <th scope="rowgroup" colSpan={5}>
                      {formatDateWithWeekday(day)}（{rows.length}件）
                    </th>
                  </tr>
                  {rows.map((b) => (
                    <tr key={b.id} data-booking-id={b.id}>
                      <td>{b.start_time}</td>
                      <td>{AREA_LABELS[b.area]}</td>
                      <td>
                        {b.customer_name}
                        <br />
                        <Link to={`/contracts/${b.contract_id}/visits`}>{b.contract_ref}</Link>
                      </td>
                      <td>{STATUS_LABELS[b.status] ?? b.status}</td>
                      <td className="num">{formatYen(b.estimate_yen)}</td>
                    </tr>
                  ))}
                </tbody>
              ))}
            </table>
          </TableScroll>
          <Pager info={page} label="訪問予定のページ（下）" />
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "訪問予定 | セキュアライン 管理コンソール" }];
