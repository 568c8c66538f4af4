// 事業者設定 › 二要素認証: who must use a second factor (the provider's staff; each reseller's
// managers), and resetting an account's second factor by its e-mail address.
import { Form } from "@remix-run/react";
import { OnceForm } from "./OnceForm";

export function SecondFactorPolicyForms(props: {
  policy: {
    staff: boolean;
    resellers: { id: number; name: string; required: boolean; customersRequired: boolean }[];
  };
  saved: boolean;
  resetDone: string | null;
  resetError: string | null;
  /** The reset's one-time token (it mails the account: issue 17 item 1). */
  resetToken: string;
}) {
  const { policy } = props;
  return (
    <>
      <h2 id="second-factor">二要素認証</h2>
      <p className="muted">
        必須にしたアカウントは、パスワードのあとに認証アプリの確認コードかパスキーが必要になります。まだ設定していないアカウントは、次の操作から設定画面へ案内され、設定するまでほかの画面は使えません。
        お客さまの管理者アカウントは、販売店の担当者またはお客さまの管理者が「アカウント ›
        二要素認証」で必須にできます。
      </p>
      {props.saved ? (
        <div className="alert success" role="status">
          二要素認証の設定を保存しました。
        </div>
      ) : null}
      <Form method="post" className="stack">
        <input type="hidden" name="intent" value="mfa-policy" />
        <label className="check">
          <input type="checkbox" name="staffRequired" defaultChecked={policy.staff} />{" "}
          事業者のスタッフ（プロバイダー管理者・オペレーター・経理）に必須にする
        </label>
        {policy.resellers.map((r) => (
          <label key={r.id} className="check">
            <input
              type="checkbox"
              name="resellerRequired"
              value={r.id}
              defaultChecked={r.required}
            />{" "}
            {r.name}の担当者に必須にする
            {r.customersRequired ? "（お客さまの管理者にも販売店が必須にしています）" : ""}
          </label>
        ))}
        <button type="submit" className="secondary">
          二要素認証の設定を保存する
        </button>
      </Form>

      <h3>アカウントの二要素認証をリセットする</h3>
      <p className="muted">
        認証アプリやパスキーをなくした人のために、認証アプリ・回復コード・パスキー・信頼済みブラウザをすべて削除します。本人にメールでお知らせします。お客さまの管理者アカウントは顧客の画面からもリセットできます。
      </p>
      {props.resetDone ? (
        <div className="alert success" role="status">
          {props.resetDone} の二要素認証をリセットしました。
        </div>
      ) : null}
      <OnceForm
        method="post"
        className="stack"
        noValidate
        token={props.resetToken}
        form="mfa-reset"
      >
        <input type="hidden" name="intent" value="mfa-reset" />
        <label>
          メールアドレス
          <input
            type="email"
            name="email"
            autoComplete="off"
            aria-invalid={props.resetError ? true : undefined}
          />
          {props.resetError ? <span className="field-error">{props.resetError}</span> : null}
        </label>
        <button type="submit" className="secondary">
          二要素認証をリセットする
        </button>
      </OnceForm>
    </>
  );
}
