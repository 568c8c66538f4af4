// Passkey buttons: they need JavaScript (WebAuthn is a browser API), so they appear only after
// hydration and where the browser supports passkeys; every page with one works without them.
// @simplewebauthn/browser is loaded when the button is pressed, not with the page.
import { useEffect, useState } from "react";

function usePasskeySupport(): boolean {
  const [supported, setSupported] = useState(false);
  useEffect(
    () => setSupported(typeof window !== "undefined" && "PublicKeyCredential" in window),
    [],
  );
  return supported;
}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  return (await response.json()) as T;
}

// The JSON the /webauthn/* routes answer the browser with: a wire format, not a domain result
// (app/lib/result.ts); the server turns its failures into `{ ok: false, message }` (decision 0046).
type WireFailure = { ok: false; message: string };

/** Signs in with a passkey (`sign_in`), or passes the second factor of a pending sign-in. */
export function PasskeyButton(props: {
  purpose: "sign_in" | "second_factor";
  label: string;
  redirectTo: string;
  trustFormId?: string;
}) {
  const supported = usePasskeySupport();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!supported) return null;
  async function run() {
    setBusy(true);
    setError(null);
    try {
      const { startAuthentication } = await import("@simplewebauthn/browser");
      const options = await postJson<
        | { ok: true; options: Parameters<typeof startAuthentication>[0]["optionsJSON"] }
        | WireFailure
      >("/webauthn/authenticate", { step: "options", purpose: props.purpose });
      if (!options.ok) throw new Error(options.message);
      const response = await startAuthentication({ optionsJSON: options.options });
      const form = props.trustFormId
        ? (document.getElementById(props.trustFormId) as HTMLFormElement | null)
        : null;
      const trust = form ? new FormData(form).get("trust") === "on" : false;
      const result = await postJson<{ ok: true; redirectTo: string } | WireFailure>(
        "/webauthn/authenticate",
        { step: "verify", purpose: props.purpose, response, trust, redirectTo: props.redirectTo },
      );
      if (!result.ok) throw new Error(result.message);
      window.location.assign(result.redirectTo);
    } catch (e) {
      // The user closing the browser's dialog is not an error worth more than a short note.
      const name = e instanceof Error ? e.name : "";
      setError(
        name === "NotAllowedError"
          ? "パスキーの確認が取り消されました。"
          : e instanceof Error && e.message
            ? e.message
            : "パスキーで確認できませんでした。",
      );
      setBusy(false);
    }
  }
  return (
    <div className="stack">
      <button type="button" className="secondary" onClick={run} disabled={busy}>
        {busy ? "確認中…" : props.label}
      </button>
      {error ? (
        <div className="alert error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

/** Registers a new passkey for the signed-in account; `onDone` gets its name. */
export function PasskeyRegistration(props: { onDone: (name: string) => void }) {
  const supported = usePasskeySupport();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!supported)
    return <p className="muted">パスキーの登録には JavaScript が有効なブラウザが必要です。</p>;
  async function run() {
    setBusy(true);
    setError(null);
    try {
      const { startRegistration } = await import("@simplewebauthn/browser");
      const options = await postJson<
        { ok: true; options: Parameters<typeof startRegistration>[0]["optionsJSON"] } | WireFailure
      >("/webauthn/register", { step: "options" });
      if (!options.ok) throw new Error(options.message);
      const response = await startRegistration({ optionsJSON: options.options });
      const result = await postJson<{ ok: true; name: string } | WireFailure>(
        "/webauthn/register",
        {
          step: "verify",
          name,
          response,
        },
      );
      if (!result.ok) throw new Error(result.message);
      setName("");
      props.onDone(result.name);
    } catch (e) {
      const errName = e instanceof Error ? e.name : "";
      setError(
        errName === "NotAllowedError"
          ? "パスキーの登録が取り消されました。"
          : errName === "InvalidStateError"
            ? "この認証器のパスキーはすでに登録されています。"
            : e instanceof Error && e.message
              ? e.message
              : "パスキーを登録できませんでした。",
      );
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="stack max-460">
      <label>
        パスキーの名前（例：仕事用ノートPC）
        <input
          type="text"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={50}
          autoComplete="off"
        />
      </label>
      <button type="button" onClick={run} disabled={busy}>
        {busy ? "登録中…" : "パスキーを登録する"}
      </button>
      {error ? (
        <div className="alert error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}
