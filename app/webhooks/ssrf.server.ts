// Where a webhook may be sent (SSRF; decision 0022). A target is checked twice: at registration,
// every address its host resolves to must be public; and at delivery, the address the socket is
// actually opened to — through a `lookup` hook on node:http/https, so a host whose DNS answers a
// public address at registration and a private one later (DNS rebinding) is still refused, and
// through a check of IP literals, which node connects to without a lookup. Hosts listed in
// WEBHOOK_ALLOW_HOSTS skip both checks and may use http (the tests' loopback receiver, an
// installation's own network).
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { ADDRESS_CLASS_LABELS, classifyAddress, type AddressClass } from "./address-rules";

export const WEBHOOK_URL_MAX_LENGTH = 2000;

export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
}

export function isAllowListed(host: string, allowHosts: readonly string[]): boolean {
  return allowHosts.includes(host.toLowerCase().replace(/^\[|\]$/g, ""));
}

/** The refusal of one address, in Japanese, or null when it is a public address. */
export function refusedAddress(address: string): string | null {
  const kind: AddressClass = classifyAddress(address);
  return kind === "public"
    ? null
    : `${address} は${ADDRESS_CLASS_LABELS[kind]}のため送信先にできません`;
}

export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses.map((a) => a.address)),
    );
  });

/**
 * Checks a target URL at registration; returns the Japanese field error or null. The URL's form
 * first (https unless allow-listed, no credentials), then every address its host resolves to.
 */
export async function checkWebhookUrl(
  raw: string,
  allowHosts: readonly string[],
  resolve: Resolver = systemResolver,
): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "URLの形式が正しくありません（例: https://psa.example.jp/hooks/console）";
  }
  const host = hostOf(url);
  const allowed = isAllowListed(host, allowHosts);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && allowed))
    return "送信先のURLは https:// で始まるものにしてください";
  if (url.username || url.password)
    return "送信先のURLにユーザー名やパスワードを含めないでください";
  if (url.hash) return "送信先のURLに # 以降を含めないでください";
  if (allowed) return null;
  if (isIP(host))
    return refusedAddress(host) ? `送信先にできないアドレスです（${refusedAddress(host)}）` : null;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return `ホスト名 ${host} を解決できません。公開されているホスト名を指定してください`;
  }
  if (addresses.length === 0)
    return `ホスト名 ${host} を解決できません。公開されているホスト名を指定してください`;
  for (const address of addresses) {
    const refusal = refusedAddress(address);
    if (refusal) return `${host} は内部向けのアドレスに解決されます（${refusal}）`;
  }
  return null;
}

export class RefusedAddressError extends Error {
  readonly code = "WEBHOOK_REFUSED_ADDRESS";
}

/**
 * The `lookup` option of http(s).request for one delivery: resolves as node would and fails the
 * connection when an address it would connect to is not public (unless the host is allow-listed).
 */
export function guardedLookup(allowHosts: readonly string[]): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(
      hostname,
      { ...options, verbatim: true },
      (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => {
        if (error) return callback(error, "", 0);
        if (!isAllowListed(hostname, allowHosts)) {
          const list = Array.isArray(address) ? address.map((a) => a.address) : [address];
          for (const a of list) {
            const refusal = refusedAddress(a);
            if (refusal) return callback(new RefusedAddressError(`${hostname}: ${refusal}`), "", 0);
          }
        }
        // node passes `all: true` when it tries several addresses (autoSelectFamily): answer in kind.
        (callback as (e: null, a: string | LookupAddress[], f?: number) => void)(
          null,
          address,
          family,
        );
      },
    );
  };
}
