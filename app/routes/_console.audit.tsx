import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AUDIT_SORT, pageAudit } from "~/audit/audit.server";
import { Pager, SortHeader } from "~/components/Pager";
import { ListFilters, FilterSelect } from "~/components/ListFilters";
import { TableScroll } from "~/components/TableScroll";
import { pageRequest } from "~/lib/paging";
import { requireViewer } from "~/auth/session.server";
import { getDb } from "~/db.server";
import { AUDIT_ACTION_LABELS, auditActionLabel, auditEntityLabel } from "~/audit/audit-labels";
import { formatInstant } from "~/lib/format";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireViewer(request, { roles: ["provider_admin"] });
  const url = new URL(request.url);
  const action = url.searchParams.get("action") || undefined;
  const email = url.searchParams.get("email")?.trim().toLowerCase() || undefined;
  const { entries, page } = await pageAudit(
    getDb(),
    { action, email },
    pageRequest(url.searchParams, AUDIT_SORT),
  );
  return { entries, page, action: action ?? "", email: email ?? "" };
}

export default function AuditLog() {
  const { entries, page, action, email } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>監査ログ</h1>
      <ListFilters page={page}>
        <FilterSelect
          label="操作"
          name="action"
          defaultValue={action}
          labels={AUDIT_ACTION_LABELS}
        />
        <label>
          ユーザー（メール）
          <input type="search" name="email" defaultValue={email} />
        </label>
      </ListFilters>
      {entries.length === 0 ? (
        <div className="empty">該当する記録はありません。</div>
      ) : (
        <>
          <Pager info={page} label="監査ログのページ" />
          <TableScroll>
            <table className="data">
              <thead>
                <tr>
                  <SortHeader info={page} column="at" first="desc">
                    日時（日本時間）
                  </SortHeader>
                  <SortHeader info={page} column="user">
                    ユーザー
                  </SortHeader>
                  <th scope="col">操作</th>
                  <th scope="col">対象</th>
                  <th scope="col">内容</th>
                  <th scope="col">IPアドレス</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.id}>
                    <td className="nowrap">{formatInstant(e.at)}</td>
                    <td>{e.user_email ?? "—"}</td>
                    <td>{auditActionLabel(e.action)}</td>
                    <td>
                      {auditEntityLabel(e.entity)}
                      {e.entity_id ? ` ${e.entity_id}` : ""}
                    </td>
                    <td>{e.summary}</td>
                    <td>{e.ip ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Pager info={page} label="監査ログのページ（下）" />
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "監査ログ | セキュアライン 管理コンソール" }];
