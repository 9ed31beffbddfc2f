/** `trainset doctor`: environment preflight. */
import { parseArgs } from "node:util";
import { runDoctor } from "../../doctor/doctor.js";
import { println, type CliCommand } from "../command.js";

const MARK = { pass: "PASS", warn: "WARN", fail: "FAIL", info: "INFO" } as const;

/** The doctor command. */
export const doctorCommand: CliCommand = {
  name: "doctor",
  summary: "check Node, ffmpeg, onnxruntime, tfjs backends, GPU/VRAM, RAM and disk",
  usage: `Usage: trainset doctor [--path DIR] [--json]

Checks what this machine can do and prints PASS / WARN / FAIL / INFO lines with
recommendations. Exit 1 when a minimum is not met (RAM < 8 GB, disk < 2 GB, Node < 20.10,
no ffmpeg).

Options:
  --path DIR   folder whose free disk space to check (default: current folder)
  --json       print the report as JSON`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { path: { type: "string" }, json: { type: "boolean" } } });
    const report = await runDoctor({ path: values.path ?? io.cwd, env: io.env });
    if (values.json === true) {
      println(io.stdout, JSON.stringify(report, null, 2));
    } else {
      for (const check of report.checks) println(io.stdout, `${MARK[check.status]}  ${check.summary}`);
      println(io.stdout, `\nTraining backend (auto): ${report.trainingBackend}`);
      if (report.recommendations.length > 0) {
        println(io.stdout, "\nRecommendations:");
        for (const r of report.recommendations) println(io.stdout, `  - ${r}`);
      }
    }
    return report.ok ? 0 : 1;
  },
};
