// Customer administrators' accounts: what both the server and the pages need (invitations.server.ts).

/** How long an e-mailed link to set the password stays usable. */
export const INVITATION_VALID_DAYS = 7;

export type AccountState = "active" | "invited" | "expired" | "disabled";
