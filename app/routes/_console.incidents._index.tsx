import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { IncidentStatus } from "../../db/schema";
import { requireViewer } from "~/auth/session.server";
import { getDb } from "~/db.server";
import { addDays, instantOf, jstInstant, parseIsoDate } from "~/lib/jst";
import {
  INCIDENT_KIND_LABELS,
  INCIDENT_STATUS_LABELS,
  SEVERITIES,
  SEVERITY_LABELS,
} from "~/security/incident-labels";
import { INCIDENT_SORT, pageIncidents } from "~/security/incidents.server";
import { Pager, SortHeader } from "~/components/Pager";
import { ListFilters, FilterSelect } from "~/components/ListFilters";
import { TableScroll } from "~/components/TableScroll";
import { pageRequest } from "~/lib/paging";
import { formatInstant } from "~/lib/format";

const INCIDENT_FILTER_KEYS = ["severity", "kind", "status", "device", "from", "to"] as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const p = new URL(request.url).searchParams;
  const text = (k: string) => p.get(k)?.trim() ?? "";
  const status = (Object.keys(INCIDENT_STATUS_LABELS) as IncidentStatus[]).find(
    (s) => s === text("status"),
  );
  const [from, to] = [parseIsoDate(text("from")), parseIsoDate(text("to"))];
  const { incidents, page } = await pageIncidents(
    getDb(),
    viewer.tenant,
    {
      severity: (SEVERITIES as readonly string[]).includes(text("severity"))
        ? text("severity")
        : undefined,
      kind: text("kind") in INCIDENT_KIND_LABELS ? text("kind") : undefined,
      status,
      device: text("device") || undefined,
      from: from && instantOf(jstInstant(from)),
      to: to && instantOf(jstInstant(addDays(to, 1))),
    },
    pageRequest(p, INCIDENT_SORT),
  );
  return {
    incidents,
    page,
    values: Object.fromEntries(INCIDENT_FILTER_KEYS.map((k) => [k, text(k)])),
    filtered: INCIDENT_FILTER_KEYS.some((k) => text(k) !== ""),
    showCustomer: viewer.tenant.kind !== "customer",
  };
}

export default function Incidents() {
  const { incidents, page, values, filtered, showCustomer } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>インシデント</h1>
      <p className="muted">
        ゲートウェイのC&C通信、ウイルスの駆除失敗、ゲートウェイのオフラインを検知するとインシデントになり、
        メール（即時）と電話（9:00〜21:00、12/29〜1/3を除く）でお知らせします。
      </p>
      <ListFilters page={page} label="インシデントの絞り込み">
        <label>
          重要度
          <select name="severity" defaultValue={values.severity}>
            <option value="">すべて</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {SEVERITY_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <FilterSelect
          label="種類"
          name="kind"
          defaultValue={values.kind}
          labels={INCIDENT_KIND_LABELS}
        />
        <FilterSelect
          label="状態"
          name="status"
          defaultValue={values.status}
          labels={INCIDENT_STATUS_LABELS}
        />
        <label>
          機器名
          <input type="search" name="device" defaultValue={values.device} size={10} />
        </label>
        <label>
          期間（から）
          <input type="date" name="from" defaultValue={values.from} />
        </label>
        <label>
          期間（まで）
          <input type="date" name="to" defaultValue={values.to} />
        </label>
      </ListFilters>
      {incidents.length === 0 ? (
        <div className="empty">
          {filtered
            ? "条件に合うインシデントはありません。"
            : "インシデントはありません。通知が必要な事象は検知されていません。"}
        </div>
      ) : (
        <>
          <Pager info={page} label="インシデントのページ" />
          <TableScroll>
            <table className="data">
              <thead>
                <tr>
                  <SortHeader info={page} column="opened" first="desc">
                    検知日時
                  </SortHeader>
                  <th scope="col">内容</th>
                  <th scope="col">種類</th>
                  <th scope="col">重要度</th>
                  {showCustomer ? (
                    <SortHeader info={page} column="customer">
                      顧客
                    </SortHeader>
                  ) : null}
                  <SortHeader info={page} column="contract">
                    契約
                  </SortHeader>
                  <th scope="col">状態</th>
                  <th scope="col">担当</th>
                </tr>
              </thead>
              <tbody>
                {incidents.map((i) => (
                  <tr key={i.id}>
                    <td>{formatInstant(i.opened_at)}</td>
                    <td>
                      <Link to={`/incidents/${i.id}`}>{i.title}</Link>
                    </td>
                    <td>{INCIDENT_KIND_LABELS[i.kind] ?? i.kind}</td>
                    <td>{SEVERITY_LABELS[i.severity] ?? i.severity}</td>
                    {showCustomer ? <td>{i.customer_name}</td> : null}
                    <td>{i.contract_ref}</td>
                    <td>
                      <span
                        className={`badge ${i.status === "resolved" ? "terminated" : i.status === "new" ? "suspended" : ""}`}
                      >
                        {INCIDENT_STATUS_LABELS[i.status]}
                      </span>
                    </td>
                    <td>{i.assignee ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Pager info={page} label="インシデントのページ（下）" />
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "インシデント | セキュアライン 管理コンソール" }];
