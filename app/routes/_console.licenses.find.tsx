import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { RULE_ID_ROLES } from "~/auth/tenancy";
import { requireViewer } from "~/auth/session.server";
import { LicensePanel, licenseFormName } from "~/components/LicensePanel";
import { issueFormTokens } from "~/lib/idempotency.server";
import { getDb } from "~/db.server";
import { MATCH_FIELD_LABELS } from "~/licenses/labels";
import { findLicensesFor } from "~/licenses/license-views.server";
import { LICENSE_ACTION_ROLES, LICENSE_OPERATION_ROLES } from "~/licenses/licenses.server";
import { now } from "~/lib/clock";
import { jstDate } from "~/lib/jst";

const MAX_QUERY_LENGTH = 200;

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const today = jstDate(now());
  const query = (new URL(request.url).searchParams.get("q") ?? "")
    .trim()
    .slice(0, MAX_QUERY_LENGTH);
  const results = query === "" ? [] : await findLicensesFor(getDb(), viewer.tenant, query, today);
  return {
    query,
    today,
    results,
    // Each licence panel's forms carry their own one-time token (issue 17 item 1).
    formTokens: LICENSE_ACTION_ROLES.includes(viewer.role)
      ? await issueFormTokens(getDb(), {
          userId: viewer.id,
          forms: results.map((r) => licenseFormName(r.view.id)),
        })
      : ({} as Record<string, string>),
    showCustomer: viewer.tenant.kind !== "customer",
    showRuleIds: RULE_ID_ROLES.includes(viewer.role),
    canAct: LICENSE_ACTION_ROLES.includes(viewer.role),
    canCompleteStop: LICENSE_OPERATION_ROLES.includes(viewer.role),
  };
}

export default function FindLicense() {
  const { query, today, results, showCustomer, canAct, canCompleteStop, showRuleIds, formTokens } =
    useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to="/licenses">← ライセンスの一覧</Link>
      </p>
      <h1>ご契約のライセンスを探す</h1>
      <p className="muted">
        自動延長の停止や解約の前に、販売元・停止の方法・実際に終了する日・返金額・一緒に止まるアドオンを確認できます。
        この画面ではまだ何も変更されません。
      </p>
      <Form method="get" className="filters" role="search">
        <label>
          注文番号・プロダクトキー／PIN・契約番号・決済番号・メールアドレス
          <input
            type="search"
            name="q"
            defaultValue={query}
            size={40}
            maxLength={MAX_QUERY_LENGTH}
          />
        </label>
        <button type="submit">探す</button>
      </Form>
      {query === "" ? (
        <ul className="muted">
          <li>
            注文番号は、注文確認メール（件名「自動延長サービス・課金完了のご案内」など）に記載されています（AP・NP・SY
            で始まる番号など）。
          </li>
          <li>
            プロバイダのセキュリティサービスは契約番号またはPIN、携帯ショップで購入した月額サービスは決済番号でも探せます。
          </li>
        </ul>
      ) : results.length === 0 ? (
        <div className="empty" data-testid="no-results">
          「{query}」に該当するライセンスは見つかりませんでした。番号をご確認ください。
        </div>
      ) : (
        <>
          <p data-testid="result-count">{results.length}件見つかりました。</p>
          {results.map((r) => (
            <div key={r.view.id} className="card mb-20">
              <p className="muted">
                {MATCH_FIELD_LABELS[r.matchedBy]}で一致・
                <Link to={`/licenses/${r.view.id}`}>このライセンスの詳細</Link>
              </p>
              <LicensePanel
                view={r.view}
                today={today}
                showCustomer={showCustomer}
                canAct={canAct}
                canCompleteStop={canCompleteStop}
                showRuleIds={showRuleIds}
                formToken={formTokens[licenseFormName(r.view.id)] ?? ""}
              />
            </div>
          ))}
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [
  { title: "ライセンスを探す | セキュアライン 管理コンソール" },
];
