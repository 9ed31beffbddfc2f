/** `trainset models list|add|deploy|restore|rollback|revert|validate`: the model registry. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ModelRegistry, type DeployResult } from "../../models/model-registry.js";
import { validateVersion } from "../../models/model-validate.js";
import { numberFlag } from "../args.js";
import { println, UsageError, type CliCommand, type CliIo } from "../command.js";
import { printJson, serviceFlags, serviceFlagsHelp, shortTime, storeRootFor } from "./service-options.js";

const usage = `Usage: trainset models <list|add|deploy|restore|rollback|revert|validate> [VERSION] [options]

Model registry in <store>/models/<model>/: a factory "default", the active version and every
version with its files, metrics, training config, data hashes and job id.

  list                          versions, active and default (all models without --model)
  add --from PATH               copy a run folder or model file in as a new version (v1, v2, ...);
                                --version default makes it the factory model
  deploy VERSION                validate (files complete, loadable, one smoke inference), apply the
                                metric gate against the active version, then swap atomically
  restore VERSION               make an earlier version active again (no gate)
  rollback                      restore the version that was active before the current one
  revert                        make the factory default active
  validate VERSION              run the deploy checks only

Options:
${serviceFlagsHelp}
  --model NAME        model name (default frame-importance)
  --from PATH         add: run folder, .onnx file or folder of files
  --version NAME      add: version name (default next vN)
  --job-id ID         add: the job that made it
  --notes TEXT        add: free text
  --force             deploy: deploy even when the gate refuses
  --metric NAME       deploy: gate metric (default the version's, e.g. test.mae)
  --threshold X       deploy: largest allowed worsening (default 0)
  --higher-is-better  deploy: the metric improves upward (default guessed: loss/mae/rmse lower)
  --lower-is-better   deploy: the metric improves downward
  --sample IMAGE      deploy/restore/revert/validate: run the whole model on this image as the smoke
                      inference (model.onnx or the run's backbone + head; default a synthetic input)

Example: trainset models deploy v3 --metric test.mae --threshold 0.01`;

function printDeploy(io: CliIo, verb: string, r: DeployResult): void {
  println(io.stdout, `${verb} ${r.model} ${r.version}${r.previous === undefined ? "" : ` (previous ${r.previous})`} in ${r.durationMs} ms`);
  for (const c of r.checks) println(io.stdout, `  check: ${c}`);
  println(io.stdout, `  gate: ${r.gate.reason}${r.forced ? " (forced)" : ""}`);
}

/** The `models` command. */
export const modelsCommand: CliCommand = {
  name: "models",
  summary: "list, add, deploy, restore, roll back or revert model versions",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...serviceFlags,
        model: { type: "string" },
        from: { type: "string" },
        version: { type: "string" },
        "job-id": { type: "string" },
        notes: { type: "string" },
        force: { type: "boolean" },
        metric: { type: "string" },
        threshold: { type: "string" },
        "higher-is-better": { type: "boolean" },
        "lower-is-better": { type: "boolean" },
        sample: { type: "string" },
      },
    });
    const [sub, version, extra] = positionals;
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    const registry = await ModelRegistry.open(storeRootFor(values, io));
    const model = values.model ?? "frame-importance";
    const user = values.user ?? "default-user";
    const needVersion = (): string => {
      if (version === undefined) throw new UsageError(`${sub ?? ""} needs a VERSION`);
      return version;
    };
    if (sub === "list") {
      const names = values.model === undefined ? await registry.listModels() : [model];
      const listings = [];
      for (const name of names) listings.push(await registry.list(name));
      if (values.json === true) printJson(io, listings);
      else {
        if (listings.length === 0) println(io.stdout, "no models in the registry");
        for (const l of listings) {
          println(io.stdout, `${l.model}: active ${l.active?.version ?? (l.hasDefault ? "default (fallback)" : "none")}`);
          for (const v of l.versions) {
            const mark = v.version === l.active?.version ? "*" : " ";
            const metric = v.gateMetric === undefined ? "" : `  ${v.gateMetric.name}=${v.metrics[v.gateMetric.name] ?? "?"}`;
            println(io.stdout, ` ${mark} ${v.version.padEnd(10)} ${shortTime(v.createdAt)}  ${v.kind}${metric}${v.jobId === undefined ? "" : `  job ${v.jobId}`}`);
          }
        }
      }
      return 0;
    }
    if (sub === "add") {
      if (version !== undefined) throw new UsageError(`unexpected argument "${version}" (use --version)`);
      if (values.from === undefined) throw new UsageError("add needs --from PATH");
      const v = await registry.addVersion(model, {
        from: resolve(io.cwd, values.from),
        ...(values.version === undefined ? {} : { version: values.version }),
        ...(values["job-id"] === undefined ? {} : { jobId: values["job-id"] }),
        ...(values.notes === undefined ? {} : { notes: values.notes }),
      });
      if (values.json === true) printJson(io, v);
      else println(io.stdout, `added ${model} ${v.version} (${v.kind}, ${v.files.length} files${v.gateMetric === undefined ? "" : `, ${v.gateMetric.name}=${v.metrics[v.gateMetric.name]}`})`);
      return 0;
    }
    if (values["higher-is-better"] === true && values["lower-is-better"] === true) throw new UsageError("give --higher-is-better or --lower-is-better, not both");
    const threshold = numberFlag("threshold", values.threshold, { min: 0 });
    const greater = values["higher-is-better"] === true ? true : values["lower-is-better"] === true ? false : undefined;
    const sample = values.sample === undefined ? undefined : resolve(io.cwd, values.sample);
    const options = {
      user,
      ...(sample === undefined ? {} : { sample }),
      ...(values.force === true ? { force: true } : {}),
      gate: { ...(values.metric === undefined ? {} : { metric: values.metric }), ...(threshold === undefined ? {} : { threshold }), ...(greater === undefined ? {} : { greaterIsBetter: greater }) },
    };
    let result: DeployResult;
    if (sub === "deploy") result = await registry.deploy(model, needVersion(), options);
    else if (sub === "restore") result = await registry.restore(model, needVersion(), options);
    else if (sub === "rollback") result = await registry.rollback(model, options);
    else if (sub === "revert") result = await registry.revertToDefault(model, options);
    else if (sub === "validate") {
      const r = await validateVersion(registry.versionDir(model, needVersion()), sample === undefined ? {} : { sample });
      if (values.json === true) printJson(io, r);
      else for (const c of r.checks) println(io.stdout, `ok: ${c}`);
      return 0;
    } else throw new UsageError(sub === undefined ? "missing sub-command" : `unknown sub-command "${sub}"`);
    if (values.json === true) printJson(io, result);
    else printDeploy(io, sub === "deploy" ? "deployed" : sub === "revert" ? "reverted to" : "restored", result);
    return 0;
  },
};
