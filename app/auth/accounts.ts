// Customer administrators' accounts: what both the server and the pages need (invitations.server.ts).

/** How long an e-mailed link to set the password stays usable. */
export const INVITATION_VALID_DAYS = 7;

export type AccountState = "active" | "invited" | "expired" | "disabled";

/** The mail kind of a link to set a password (outbox rows). */
export const ACCOUNT_LINK_MAIL_KIND = "account_invitation";

/**
 * A link's mail with the token taken out, as the outbox keeps it once handed over (or given up):
 * only the token's SHA-256 is stored anywhere else, and a database copy must not log anyone in.
 */
export function withoutAccountLinks(text: string): string {
  return text.replace(
    /\/invitation\/[A-Za-z0-9_-]{43}/g,
    "/invitation/（リンクは送信後に削除しました）",
  );
}
