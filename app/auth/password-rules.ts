// What a new password must be, wherever one is chosen (the account page, an invitation link).
import { z } from "zod";

export const newPassword = z.string()
  .min(12, "新しいパスワードは12文字以上にしてください")
  .max(200, "新しいパスワードは200文字以内にしてください");

/** For `.refine` on a form with `next` and `confirm`. */
export const confirmsNext = (v: { next: string; confirm: string }) => v.next === v.confirm;
export const CONFIRM_MISMATCH = { path: ["confirm"], message: "確認用のパスワードが一致しません" };
