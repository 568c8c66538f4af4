// Japanese labels for applications (bundled for the browser: no server code here).
export const APPLICATION_STATUS_LABELS = {
  applied: "審査中",
  approved: "承認",
  rejected: "不承認",
  revoked: "承認取消し",
} as const;
