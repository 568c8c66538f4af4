// A form that creates something, at most once (issue 17 item 1, decision 0027): it carries the
// one-time token its loader issued, and is rebuilt empty whenever a new token arrives — after a
// success the loader runs again, so the amount just recorded does not stay in the field to be sent
// a second time. A repeat's answer (「すでに記録されています」) or a refused token shows above it.
import { Form, Link, useActionData, type FormProps } from "@remix-run/react";
import { FORM_TOKEN_FIELD, isOnceAnswer } from "~/lib/form-token";

/** The token as a hidden input, for forms that cannot use OnceForm (a fetcher's form). */
export function FormToken({ token }: { token: string }) {
  return <input type="hidden" name={FORM_TOKEN_FIELD} value={token} />;
}

/** The answer to a repeated or refused submission of the form named `form`, if that was the last answer. */
export function OnceNotice({ form }: { form: string }) {
  const answer = useActionData();
  if (!isOnceAnswer(answer) || answer.once.form !== form) return null;
  const { kind, message, redirect } = answer.once;
  return (
    <div
      className={`alert ${kind === "replayed" ? "warn" : "error"}`}
      role="alert"
      data-testid="once-notice"
    >
      {message}
      {redirect ? (
        <>
          （<Link to={redirect}>記録を見る</Link>）
        </>
      ) : null}
    </div>
  );
}

/**
 * autoComplete="off": without it the browser's back button puts the values just sent into the
 * page it loads again, under that page's new token, and one more click records them a second time.
 */
export function OnceForm({
  token,
  form,
  children,
  ...props
}: FormProps & { token: string; form: string }) {
  return (
    <Form key={token} autoComplete="off" {...props}>
      <OnceNotice form={form} />
      <FormToken token={token} />
      {children}
    </Form>
  );
}
