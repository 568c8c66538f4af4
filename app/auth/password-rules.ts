// The confirmation of a new password, wherever one is chosen (the account page, an invitation
// link). What the password itself must be is password-policy.server.ts (checkNewPassword).

/** For `.refine` on a form with `next` and `confirm`. */
export const confirmsNext = (v: { next: string; confirm: string }) => v.next === v.confirm;
export const CONFIRM_MISMATCH = { path: ["confirm"], message: "確認用のパスワードが一致しません" };
