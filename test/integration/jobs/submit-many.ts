/** Helper process: submits N noop jobs to the file queue in DIR and prints their ids. */
import { openFileJobQueue } from "../../../kernel/src/jobs/file-queue.js";

const [dir, count, tag] = process.argv.slice(2);
const queue = await openFileJobQueue(dir ?? "");
for (let i = 0; i < Number(count); i++) {
  const job = await queue.submit({ kind: "noop", config: { ms: 5 }, user: `u-${tag ?? "x"}`, ...(i % 2 === 0 ? { requestId: `${tag ?? "x"}-${i}` } : {}) });
  process.stdout.write(`${job.id}\n`);
}
