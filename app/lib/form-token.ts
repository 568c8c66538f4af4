// What the browser side of the one-time form tokens shares with the server (decision 0027).

/** The hidden input's name on every form that creates something. */
export const FORM_TOKEN_FIELD = "_formToken";

/** An action's answer when its form's token was already used (a repeat) or cannot be used. */
export interface OnceAnswer {
  once: { form: string; kind: "replayed" | "refused"; message: string; redirect?: string };
}

export function isOnceAnswer(value: unknown): value is OnceAnswer {
  return typeof value === "object" && value !== null && "once" in value;
}
