// アカウント → ログイン中のセッション (issue 15): the account's sessions in use, where each
// signed in from and when it was last used, with a plain form per row (works without JavaScript).
import { Form } from "@remix-run/react";
import type { SessionListItem } from "~/auth/sessions.server";
import { ActionsHeader, TableScroll } from "./TableScroll";
import { formatInstant } from "~/lib/format";

export type AccountSessionRow = SessionListItem;

export function AccountSessions({
  sessions,
  notice,
}: {
  sessions: AccountSessionRow[];
  notice: string | null;
}) {
  const others = sessions.filter((s) => !s.current).length;
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">ログイン中のセッション</h2>
      <p className="muted">
        心当たりのないセッションがあれば終了し、パスワードを変更してください。最終利用は5分単位で記録しています（日本時間）。
      </p>
      {notice ? (
        <div className="alert success" role="status">
          {notice}
        </div>
      ) : null}
      <TableScroll label="ログイン中のセッションの表">
        <table className="data" data-testid="sessions">
          <thead>
            <tr>
              <th scope="col">ブラウザ</th>
              <th scope="col">IPアドレス</th>
              <th scope="col">ログイン</th>
              <th scope="col">最終利用</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.handle}>
                <td>
                  {s.browser}
                  {s.current ? <strong>（この端末）</strong> : null}
                </td>
                <td>{s.ip ?? "—"}</td>
                <td>{formatInstant(s.createdAt)}</td>
                <td>{formatInstant(s.lastSeenAt)}</td>
                <td>
                  {s.current ? null : (
                    <Form method="post">
                      <input type="hidden" name="intent" value="end-session" />
                      <input type="hidden" name="session" value={s.handle} />
                      <button type="submit" className="secondary">
                        このセッションを終了
                      </button>
                    </Form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {others > 0 ? (
        <Form method="post">
          <input type="hidden" name="intent" value="end-other-sessions" />
          <button type="submit" className="secondary">
            ほかのセッションをすべて終了
          </button>
        </Form>
      ) : null}
    </section>
  );
}
