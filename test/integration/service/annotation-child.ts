/** Child process for the annotation tests: stores batches (forever, or COUNT of them), printing "tick" after each. */
import { storeAnnotations } from "../../../kernel/src/service/annotation-store.js";

const [root = "", start = "0", count = "Infinity", user = "crash-user", padBytes = "2000"] = process.argv.slice(2);
const pad = "x".repeat(Number(padBytes));

async function main(): Promise<void> {
  for (let b = Number(start); b < Number(start) + Number(count); b++) {
    const items = Array.from({ length: 40 }, (_, i) => ({ framePath: `b${b}/f${i}.jpg`, rating: (i % 10) / 10, metadata: { batch: b, index: i, size: 40, pad } }));
    await storeAnnotations(root, user, items);
    process.stdout.write("tick\n");
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
