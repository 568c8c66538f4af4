// The integration suite runs its files and tests in a shuffled order (decision 0048), so a test
// that leans on another's writes fails somewhere. Vitest prints the seed when the run starts; this
// says it again at the end, beside the failures, with the command that repeats the same order.
import type { TestProject } from "vitest/node";

export default function setup(project: TestProject) {
  return () => {
    const { seed, shuffle } = project.config.sequence;
    const engine = process.env.TEST_DATABASE ? `TEST_DATABASE=${process.env.TEST_DATABASE} ` : "";
    if (shuffle && seed !== undefined)
      console.log(
        `\nOrder of this run: seed ${seed}. The same order again: ${engine}TEST_SEED=${seed} npx vitest run --config test/vitest.config.ts [files]\n`,
      );
  };
}
