/** Deterministic synthetic datasets (made in code, nothing downloaded) and helpers for split tests. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createSeededRng, type LegacyRecord, type SplitFileReport, type SplitRow } from "trainset";

/** Options for {@link syntheticExams}. */
export interface SyntheticExamOptions {
  exams: number;
  rows: number;
  /** Label prevalences (one label per entry, named `l0`, `l1`…). */
  prevalence: readonly number[];
  seed?: number;
}

/** Examinations of heavy-tailed size whose rows carry exam-correlated labels, as legacy records. */
export function syntheticExams(options: SyntheticExamOptions): LegacyRecord[] {
  const rng = createSeededRng(options.seed ?? 1);
  const raw = Array.from(
    { length: options.exams },
    () => 1 / Math.pow(1 - rng.nextFloat() * 0.99, 1 / 1.4),
  );
  const sum = raw.reduce((a, b) => a + b, 0);
  const sizes = raw.map((r) => Math.max(1, Math.round((r / sum) * options.rows)));
  const records: LegacyRecord[] = [];
  let id = 1000;
  sizes.forEach((size, e) => {
    const rates = options.prevalence.map((p) =>
      rng.nextFloat() < 0.4 ? Math.min(0.95, (p / 0.4) * -Math.log(1 - rng.nextFloat())) : 0,
    );
    for (let r = 0; r < size; r++) {
      const labels = rates.flatMap((rate, l) => (rng.nextFloat() < rate ? [`l${l}`] : []));
      records.push({ labels, old_examination_id: 500 + e, old_id: id, filename: `${id}.jpg` });
      id++;
    }
  });
  return records;
}

/** The generic rows of legacy records, grouped as lx-ai groups them. */
export function rowsOf(records: readonly LegacyRecord[]): SplitRow[] {
  return records.map((r) => ({
    group:
      r.old_examination_id === null ? `no_exam_${String(r.old_id)}` : String(r.old_examination_id),
    labels: r.labels ?? [],
  }));
}

/** The `split_report.json` that splitFile() wrote into `dir`. */
export async function readReport(dir: string): Promise<SplitFileReport> {
  return JSON.parse(await readFile(join(dir, "split_report.json"), "utf8")) as SplitFileReport;
}
