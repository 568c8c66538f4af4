import type { LinksFunction, MetaFunction } from "@remix-run/node";
import {
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useRouteError,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { useNonce } from "./lib/nonce";
import stylesHref from "./styles.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesHref },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "セキュアライン 管理コンソール" }];

export function Layout({ children }: { children: ReactNode }) {
  // The Content-Security-Policy runs only scripts carrying this request's nonce.
  const nonce = useNonce();
  return (
    <html lang="ja">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  return (
    <main>
      <ErrorMessage error={useRouteError()} />
    </main>
  );
}

export function ErrorMessage({ error }: { error: unknown }) {
  if (isRouteErrorResponse(error)) {
    const title =
      error.status === 404
        ? "ページが見つかりません"
        : error.status === 403
          ? "権限がありません"
          : `エラー（${error.status}）`;
    const detail =
      error.status === 404
        ? "お探しのページまたはデータは存在しないか、表示する権限がありません。"
        : typeof error.data === "string"
          ? error.data
          : "";
    return (
      <div className="error-page">
        <h1>{title}</h1>
        <p>{detail}</p>
        <p>
          <a href="/home">ホームへ戻る</a>
        </p>
      </div>
    );
  }
  return (
    <div className="error-page">
      <h1>エラーが発生しました</h1>
      <p>時間をおいてもう一度お試しください。解決しない場合はサポートへご連絡ください。</p>
    </div>
  );
}
