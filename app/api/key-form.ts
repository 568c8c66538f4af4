// The API key form's fields, shared by the keys page and the `apikeys` command. Not a .server
// module: the page builds its schema from it at module level, which the browser bundle runs too.
import { z } from "zod";
import { nameField } from "../lib/fields";

export const ApiKeyForm = z.object({
  name: nameField("キーの名前", 100),
  scope: z.enum(["read", "write"], { error: "権限を選んでください" }),
});
