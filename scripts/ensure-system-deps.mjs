#!/usr/bin/env node
// Makes sure the Debian packages a task needs are installed (see system-deps.json).
// As root: installs the missing ones with apt-get (non-interactive). Otherwise: lists them,
// with the command to run, and exits 1 for required packages (optional ones only warn).
// Usage: node scripts/ensure-system-deps.mjs --for test|demo|bench [--check]
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const task = args[args.indexOf("--for") + 1];
const checkOnly = args.includes("--check");
const config = JSON.parse(readFileSync(new URL("./system-deps.json", import.meta.url), "utf8"));
if (task === undefined || config[task] === undefined) {
  console.error(`ensure-system-deps: --for must be one of ${Object.keys(config).filter((k) => !k.startsWith("$")).join(", ")}`);
  process.exit(2);
}
if (process.platform !== "linux" || spawnSync("dpkg-query", ["--version"]).status !== 0) {
  console.error(`ensure-system-deps: not a Debian-like system; make sure these are installed: ${[...config[task].required, ...config[task].optional].join(", ")}`);
  process.exit(0);
}

function installed(pkg) {
  const result = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
  return result.status === 0 && result.stdout.includes("install ok installed");
}

const { required, optional } = config[task];
const missingRequired = required.filter((p) => !installed(p));
const missingOptional = optional.filter((p) => !installed(p));
const missing = [...missingRequired, ...missingOptional];
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (!isRoot || checkOnly) {
  const list = missing.join(" ");
  const stream = missingRequired.length > 0 ? console.error : console.warn;
  stream(`trainset ${task} needs these Debian packages: ${list}\n  Install them with: sudo apt-get install -y ${list}`);
  if (missingOptional.length > 0 && missingRequired.length === 0) {
    console.warn(`  (optional: trainset falls back to what npm ships, e.g. the static ffmpeg of @ffmpeg-installer/ffmpeg)`);
  }
  process.exit(missingRequired.length > 0 ? 1 : 0);
}

console.error(`ensure-system-deps: installing ${missing.join(", ")} with apt-get…`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
const apt = (argv) => execFileSync("apt-get", argv, { stdio: ["ignore", "inherit", "inherit"], env });
try {
  try {
    apt(["install", "-y", "-q", "--no-install-recommends", ...missing]);
  } catch {
    // Package lists may be missing or stale on a fresh machine.
    apt(["update", "-q"]);
    apt(["install", "-y", "-q", "--no-install-recommends", ...missing]);
  }
} catch (error) {
  const failed = missing.filter((p) => !installed(p));
  const requiredFailed = failed.filter((p) => required.includes(p));
  console.error(`ensure-system-deps: could not install ${failed.join(", ")}: ${error.message}`);
  process.exit(requiredFailed.length > 0 ? 1 : 0);
}
