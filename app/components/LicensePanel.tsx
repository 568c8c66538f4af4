// One licence as L-6 asks the console to show it before anything is confirmed: who sold it,
// the exact path to stop it, the day it really ends, the refund due, the linked add-ons and the
// warnings — then the stop / cancel buttons when the console is the seller of record, the
// ISP cancellation when the console issued the contract, or only the external path otherwise.
// Forms post to the licence's own route, so they work without JavaScript from any page.
import { Form, Link } from "@remix-run/react";
import { FormToken, OnceNotice } from "~/components/OnceForm";
import type { LicenseView } from "~/licenses/license-views.server";
import {
  autoEndedText,
  CHANNEL_LABELS,
  DISPLAY_STATE_BADGES,
  DISPLAY_STATE_LABELS,
  ISP_STATUS_LABELS,
  MAIN_SERVICE_KIND_LABELS,
  MAIN_SERVICE_STATUS_LABELS,
  REFUND_STATE_LABELS,
  RENEWAL_STATE_LABELS,
  TERM_LABELS,
} from "~/licenses/labels";
import { formatDate, formatYen } from "~/lib/format";
import { RuleRef } from "~/components/RuleRef";
import { TableScroll } from "./TableScroll";

export interface LicensePanelProps {
  view: LicenseView;
  today: string;
  showCustomer: boolean;
  /** The viewer may stop, cancel and apply (finance only reads). */
  canAct: boolean;
  /** Provider operations may mark a requested stop as processed by the vendor. */
  canCompleteStop: boolean;
  error?: { message: string; field?: string; intent?: string } | null;
  /** The provider's staff read rule ids; others read the explanation with the rule on demand. */
  showRuleIds?: boolean;
  /** The one-time token of the panel's forms (issue 17 item 1), from `licenseFormName(id)`. */
  formToken: string;
}

/** The one-time token's form name of a licence's panel: its forms all post to /licenses/:id. */
export const licenseFormName = (licenseId: number) => `license-${licenseId}`;

/** A failed answer of /licenses/:id as the panel shows it: one message, by form and field. */
export function panelError(
  errors: Record<string, string | undefined>,
  intent: string,
): { message: string; field?: string; intent: string } | null {
  const entry = Object.entries(errors).find((e): e is [string, string] => e[1] !== undefined);
  if (!entry) return null;
  return { message: entry[1], field: entry[0] === "_form" ? undefined : entry[0], intent };
}

export function LicensePanel({
  view,
  today,
  showCustomer,
  canAct,
  canCompleteStop,
  error,
  showRuleIds = false,
  formToken,
}: LicensePanelProps) {
  const { overview: o, id, refund } = view;
  const l = o.license;
  const action = `/licenses/${id}`;
  const live = o.status.state === "active";
  const pendingStops = [
    ...(l.renewalState === "stop_requested" ? [l.ref] : []),
    ...o.addOns.filter((a) => a.renewalState === "stop_requested").map((a) => a.ref),
  ];
  const errorFor = (intent: string) => (error && error.intent === intent ? error : null);
  return (
    <section
      className="license-panel"
      data-testid={`license-${l.ref}`}
      aria-labelledby={`license-${id}-title`}
    >
      <h2 id={`license-${id}-title`}>
        {l.product} <span className="muted">（{l.ref}）</span>{" "}
        <span
          className={`badge ${DISPLAY_STATE_BADGES[o.displayState]}`}
          data-testid="license-state"
        >
          {DISPLAY_STATE_LABELS[o.displayState]}
        </span>
      </h2>
      <dl className="facts">
        {showCustomer ? (
          <>
            <dt>顧客</dt>
            <dd>
              {view.customerName}（{view.customerRef}）
            </dd>
          </>
        ) : null}
        <dt>販売元</dt>
        <dd data-testid="seller">{o.seller}</dd>
        <dt>販売経路</dt>
        <dd>{CHANNEL_LABELS[l.channel]}</dd>
        {l.orderNumber ? (
          <>
            <dt>注文番号</dt>
            <dd>{l.orderNumber}</dd>
          </>
        ) : null}
        {l.productKey ? (
          <>
            <dt>{l.channel === "isp" ? "PIN（シリアルID）" : "プロダクトキー"}</dt>
            <dd>{l.productKey}</dd>
          </>
        ) : null}
        {l.contractNumber ? (
          <>
            <dt>契約番号</dt>
            <dd>{l.contractNumber}</dd>
          </>
        ) : null}
        {l.carrierPaymentNumber ? (
          <>
            <dt>キャリア決済の決済番号</dt>
            <dd>{l.carrierPaymentNumber}</dd>
          </>
        ) : null}
        <dt>台数・料金</dt>
        <dd>
          {l.seats}台・{TERM_LABELS[l.term]} {formatYen(l.priceYen)}
          {l.channel === "isp" ? "（税込）" : ""}
        </dd>
        {o.term ? (
          <>
            <dt>現在の有効期間</dt>
            <dd>
              {formatDate(o.term.start)} 〜 {formatDate(o.term.end)}
            </dd>
          </>
        ) : null}
        {live ? (
          <>
            <dt>自動延長</dt>
            <dd data-testid="renewal-state">
              {l.channel === "isp"
                ? "毎月継続（解約のお申込みまで）"
                : RENEWAL_STATE_LABELS[l.renewalState ?? "active"]}
              {o.nextRenewal
                ? `（次回 ${formatDate(o.nextRenewal.date)} に ${formatYen(o.nextRenewal.amountYen)}）`
                : ""}
            </dd>
          </>
        ) : (
          <>
            {o.isp?.endedOn ? (
              <>
                <dt>終了の理由</dt>
                <dd data-testid="auto-ended">{autoEndedText(o.isp.endedOn)}</dd>
              </>
            ) : (
              <>
                <dt>解約日</dt>
                <dd>{formatDate(o.status.cancelledOn)}</dd>
              </>
            )}
            <dt>利用できる最終日</dt>
            <dd data-testid="cancelled-end">{formatDate(o.status.effectiveEnd)}</dd>
          </>
        )}
        {o.main ? (
          <>
            <dt>メインライセンス</dt>
            <dd>
              <Link to={`/licenses/${view.idsByRef[o.main.ref]}`}>{o.main.product}</Link>（
              {o.main.ref}）
            </dd>
          </>
        ) : null}
        {refund ? (
          <>
            <dt>返金</dt>
            <dd data-testid="refund-state">
              {formatYen(refund.amountYen)}・{REFUND_STATE_LABELS[refund.state]}
              {refund.reason ? `（理由: ${refund.reason}）` : ""}
            </dd>
          </>
        ) : null}
      </dl>

      <h3>停止・解約の方法</h3>
      <p data-testid="path-title">
        <strong>{o.path.title}</strong>
      </p>
      <ol data-testid="path-steps">
        {o.path.steps.map((step, i) => (
          <li key={i}>{step}</li>
        ))}
      </ol>
      {o.path.url ? (
        <p>
          窓口:{" "}
          <a href={o.path.url} target="_blank" rel="noreferrer">
            {o.path.url}
          </a>
        </p>
      ) : null}

      {live ? (
        <>
          <h3>本日（{formatDate(today)}）解約した場合</h3>
          <dl className="facts">
            <dt>実際に終了する日</dt>
            <dd data-testid="effective-end">{formatDate(o.quote.effectiveEnd)}</dd>
            <dt>返金額</dt>
            <dd data-testid="refund-due">{formatYen(o.quote.refundYen)}</dd>
            <dt>一緒に解約されるアドオン</dt>
            <dd data-testid="cascades">
              {o.quote.cascades.length > 0 ? o.quote.cascades.join("、") : "なし"}
            </dd>
          </dl>
          {o.quote.lines.length > 0 ? (
            <TableScroll>
              <table className="data mt-8">
                <thead>
                  <tr>
                    <th scope="col">ライセンス</th>
                    <th scope="col">終了日</th>
                    <th scope="col" className="num">
                      返金額
                    </th>
                    <th scope="col">根拠</th>
                  </tr>
                </thead>
                <tbody>
                  {o.quote.lines.map((line) => (
                    <tr key={line.ref}>
                      <td>{line.ref}</td>
                      <td>{formatDate(line.effectiveEnd)}</td>
                      <td className="num">{formatYen(line.refundYen)}</td>
                      <td>
                        <RuleRef
                          rule={line.rule}
                          explanation={line.explanation}
                          staff={showRuleIds}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          ) : null}
          {[...new Set(o.quote.lines.flatMap((line) => line.notices))].length > 0 ? (
            <ul className="notices">
              {[...new Set(o.quote.lines.flatMap((line) => line.notices))].map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          ) : null}

          {l.channel === "vendor_store" ? (
            <>
              <h3>自動延長を停止した場合</h3>
              {o.stop.ok ? (
                <>
                  <ul data-testid="stop-preview">
                    {o.stop.value.stops.map((s) => (
                      <li key={s.ref}>
                        {s.ref}:{" "}
                        {s.validUntil
                          ? `${formatDate(s.validUntil)} まで利用でき、その後は延長されません`
                          : "体験期間の終了後に失効します"}
                        {s.avoidsChargeOn
                          ? `（${formatDate(s.avoidsChargeOn)} の請求は行われません）`
                          : ""}
                      </li>
                    ))}
                  </ul>
                  <ul className="warnings" data-testid="stop-warnings">
                    {o.stop.value.warnings.map((w) => (
                      <li key={w}>{w}</li>
                    ))}
                  </ul>
                </>
              ) : (
                <p className="muted">{o.stop.message}</p>
              )}
            </>
          ) : null}
        </>
      ) : null}

      {o.addOns.length > 0 ? (
        <>
          <h3>リンクされているアドオン</h3>
          <TableScroll>
            <table className="data" data-testid="addons">
              <thead>
                <tr>
                  <th scope="col">アドオン</th>
                  <th scope="col">料金</th>
                  <th scope="col">状態</th>
                  <th scope="col">期限</th>
                </tr>
              </thead>
              <tbody>
                {o.addOns.map((a) => (
                  <tr key={a.ref}>
                    <td>
                      <Link to={`/licenses/${view.idsByRef[a.ref]}`}>{a.product}</Link>（{a.ref}）
                    </td>
                    <td>{formatYen(a.priceYen)}</td>
                    <td>
                      <span className={`badge ${DISPLAY_STATE_BADGES[a.displayState]}`}>
                        {DISPLAY_STATE_LABELS[a.displayState]}
                      </span>
                    </td>
                    <td>{formatDate(a.endsOn)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      ) : null}

      {o.isp ? (
        <>
          <h3>ISPセキュリティ契約</h3>
          <dl className="facts">
            <dt>契約番号</dt>
            <dd>{o.isp.contractNumber}</dd>
            <dt>PIN（シリアルID）</dt>
            <dd>{o.isp.pin}</dd>
            <dt>サービス</dt>
            <dd>
              {o.isp.product}・{o.isp.devices}台・月額 {formatYen(o.isp.monthlyYenTaxIncluded)}
              （税込）
            </dd>
            <dt>申込日</dt>
            <dd>{formatDate(o.isp.appliedOn)}（申込月は無料）</dd>
            <dt>状態</dt>
            <dd data-testid="isp-status">
              {o.isp.endedOn ? autoEndedText(o.isp.endedOn) : ISP_STATUS_LABELS[o.isp.status]}
              {!o.isp.endedOn && o.isp.cancellation
                ? `（解約日 ${formatDate(o.isp.cancellation.effectiveEnd)}。それまでは取り消せます）`
                : ""}
            </dd>
          </dl>
          <h3>ISPの主契約</h3>
          {view.mainServices.length === 0 ? (
            <p className="muted">主契約（インターネット・テレビ・電話）は登録されていません。</p>
          ) : (
            <TableScroll>
              <table className="data" data-testid="main-services">
                <thead>
                  <tr>
                    <th scope="col">サービス番号</th>
                    <th scope="col">種類</th>
                    <th scope="col">サービス名</th>
                    <th scope="col">状態</th>
                    <th scope="col">最終利用日</th>
                  </tr>
                </thead>
                <tbody>
                  {view.mainServices.map((m) => (
                    <tr key={m.id}>
                      <td>{m.serviceRef}</td>
                      <td>{MAIN_SERVICE_KIND_LABELS[m.kind]}</td>
                      <td>{m.name ?? "—"}</td>
                      <td>{MAIN_SERVICE_STATUS_LABELS[m.status]}</td>
                      <td>{formatDate(m.lastDay)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </>
      ) : null}
      {o.notices.length > 0 ? (
        <ul className="notices">
          {o.notices.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}

      <h3>お手続き</h3>
      <OnceNotice form={licenseFormName(id)} />
      {o.consoleActs && canAct ? (
        <div className="stack-actions">
          {l.renewalState === "active" && o.stop.ok ? (
            <Form method="post" action={action} className="stack" key={formToken}>
              <input type="hidden" name="intent" value="stop_renewal" />
              <FormToken token={formToken} />
              {errorFor("stop_renewal") ? (
                <div className="alert error" role="alert">
                  {errorFor("stop_renewal")!.message}
                </div>
              ) : null}
              <button type="submit">
                自動延長を停止する
                {o.addOns.some((a) => a.renewalState === "active") ? "（アドオンも停止）" : ""}
              </button>
            </Form>
          ) : null}
          <Form method="post" action={action} className="stack mt-12" key={formToken}>
            <input type="hidden" name="intent" value="cancel" />
            <FormToken token={formToken} />
            {errorFor("cancel") && errorFor("cancel")!.field !== "uninstalled" ? (
              <div className="alert error" role="alert">
                {errorFor("cancel")!.message}
              </div>
            ) : null}
            <label className="check">
              <span>
                <input
                  type="checkbox"
                  name="uninstalled"
                  value="yes"
                  aria-invalid={errorFor("cancel")?.field === "uninstalled" ? true : undefined}
                />{" "}
                解約するライセンス（アドオンを含む）のソフトウェアを、すべてのデバイスからアンインストールして削除します（または削除しました）
              </span>
              {errorFor("cancel")?.field === "uninstalled" ? (
                <span className="field-error" role="alert">
                  {errorFor("cancel")!.message}
                </span>
              ) : null}
            </label>
            <button type="submit" className="secondary">
              {o.quote.refundYen > 0
                ? `解約して ${formatYen(o.quote.refundYen)} の返金を申請する`
                : "解約する（返金なし）"}
            </button>
          </Form>
        </div>
      ) : o.consoleActs ? (
        <p className="muted">
          このコンソールで停止・解約できます（お客さま・販売店・運用担当者が操作します）。
        </p>
      ) : o.isp && o.isp.status !== "ended" && !o.isp.endedOn && canAct ? (
        <Form method="post" action={action} className="stack" key={formToken}>
          <FormToken token={formToken} />
          {errorFor(o.isp.cancellation ? "isp_revoke" : "isp_cancel") ? (
            <div className="alert error" role="alert">
              {errorFor(o.isp.cancellation ? "isp_revoke" : "isp_cancel")!.message}
            </div>
          ) : null}
          {o.isp.cancellation ? (
            <>
              <input type="hidden" name="intent" value="isp_revoke" />
              <button type="submit" className="secondary">
                解約予約を取り消す
              </button>
            </>
          ) : (
            <>
              <input type="hidden" name="intent" value="isp_cancel" />
              <button type="submit" className="secondary">
                解約を申し込む（解約日は今月末）
              </button>
            </>
          )}
        </Form>
      ) : live && !o.isp ? (
        <p className="alert error" data-testid="external-only">
          このライセンスはこのコンソールでは停止・解約できません。上の「停止・解約の方法」の手順で、販売元（
          {o.seller}）にお手続きください。
        </p>
      ) : o.isp?.endedOn ? (
        <p className="muted">
          このライセンスは{autoEndedText(o.isp.endedOn)}となりました。お手続きは不要です。
        </p>
      ) : !live ? (
        <p className="muted">このライセンスは解約済みです。</p>
      ) : null}
      {canCompleteStop && pendingStops.length > 0 ? (
        <Form method="post" action={action} className="filters mt-12" key={formToken}>
          <input type="hidden" name="intent" value="complete_stop" />
          <FormToken token={formToken} />
          {errorFor("complete_stop") ? (
            <span className="field-error" role="alert">
              {errorFor("complete_stop")!.message}
            </span>
          ) : null}
          <button type="submit" className="secondary">
            メーカーでの停止処理を完了にする（{pendingStops.join("、")}）
          </button>
        </Form>
      ) : null}
    </section>
  );
}
