import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { listAudit } from "~/audit/audit.server";
import { requireViewer } from "~/auth/session.server";
import { getDb } from "~/db.server";
import { formatInstant } from "~/lib/format";

const ACTION_LABELS: Record<string, string> = {
  login: "ログイン",
  "login.failed": "ログイン失敗",
  "login.throttled": "ログイン制限",
  logout: "ログアウト",
  "session.end": "セッションの終了",
  "session.end_others": "ほかのセッションの終了",
  "provider.update": "事業者設定の変更",
  "provider.dunning_days": "督促する日の変更",
  "password.change": "パスワード変更",
  "payment.record": "入金の記録",
  "billing.close": "請求締め",
  "credit_note.issue": "返還請求書の発行",
  "interest.waive": "延滞利息の免除",
  "incident.acknowledge": "インシデント対応開始",
  "contract.cancel_request": "解約申込み",
  "application.submit": "お申し込み",
  "visit.book": "訪問予約",
  "outage.record": "障害の記録",
  "notification.call": "電話連絡の記録",
  "gateway_failure.record": "ゲートウェイ故障の記録",
  "contract.suspend": "利用停止",
  "contract.unsuspend": "利用停止の解除",
  "contract.terminate_by_provider": "当社からの契約解除",
  "gateway.returned": "ゲートウェイの返却",
  "contract.change_request": "契約変更の申込み",
  "contract.change_approve": "契約変更の承認",
  "contract.change_reject": "契約変更の不承認",
  "visit.record": "訪問の実施記録",
  "application.approve": "お申し込みの承認",
  "application.reject": "お申し込みの不承認",
  "application.revoke": "承認の取消し",
  "contract.cancel_withdraw": "解約申込みの取消し",
  "contract.cancel_confirm": "解約の確認",
  "incident.resolve": "インシデント解決",
  "login.second_factor": "ログイン（二要素認証待ち）",
  "mfa.enrol": "二要素認証の設定",
  "mfa.remove": "二要素認証の解除",
  "mfa.verify_failed": "二要素認証の失敗",
  "mfa.throttled": "二要素認証の制限",
  "mfa.recovery_used": "回復コードの使用",
  "mfa.recovery_regenerate": "回復コードの再発行",
  "mfa.reset": "二要素認証のリセット",
  "mfa.policy": "二要素認証の必須設定",
  "passkey.register": "パスキーの登録",
  "passkey.delete": "パスキーの削除",
  "passkey.verify_failed": "パスキーの確認失敗",
};

export async function loader({ request }: LoaderFunctionArgs) {
  await requireViewer(request, { roles: ["provider_admin"] });
  const url = new URL(request.url);
  const action = url.searchParams.get("action") || undefined;
  const email = url.searchParams.get("email")?.trim().toLowerCase() || undefined;
  const entries = await listAudit(getDb(), { action, email, limit: 300 });
  return { entries, action: action ?? "", email: email ?? "" };
}

export default function AuditLog() {
  const { entries, action, email } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>監査ログ</h1>
      <Form method="get" className="filters">
        <label>操作
          <select name="action" defaultValue={action}>
            <option value="">すべて</option>
            {Object.entries(ACTION_LABELS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </select>
        </label>
        <label>ユーザー（メール）<input type="search" name="email" defaultValue={email} /></label>
        <button type="submit" className="secondary">絞り込む</button>
      </Form>
      {entries.length === 0 ? <div className="empty">該当する記録はありません。</div> : (
        <table className="data">
          <thead><tr><th>日時（日本時間）</th><th>ユーザー</th><th>操作</th><th>対象</th><th>内容</th><th>IPアドレス</th></tr></thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>{formatInstant(e.at)}</td>
                <td>{e.user_email ?? "—"}</td>
                <td>{ACTION_LABELS[e.action] ?? e.action}</td>
                <td>{e.entity}{e.entity_id ? ` #${e.entity_id}` : ""}</td>
                <td>{e.summary}</td>
                <td>{e.ip ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "監査ログ | セキュアライン 管理コンソール" }];
