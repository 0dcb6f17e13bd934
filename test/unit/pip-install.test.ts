/** "Set up Training Environment"'s pip command and how pip's output becomes progress (lines from a real pip 26 run). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LineSplitter, PipProgressReader, pipInstallTrainerArgs, pipSupportsRawProgress } from "../../src/training/pipInstall";

test("the trainer is installed with its train extra (torch, transformers, TRL), with raw progress when pip has it", () => {
  assert.deepEqual(pipInstallTrainerArgs("/ext/trainer", true), ["-m", "pip", "install", "--progress-bar", "raw", "/ext/trainer[train]"]);
  assert.deepEqual(pipInstallTrainerArgs("/ext/trainer", false).slice(-3), ["--progress-bar", "off", "/ext/trainer[train]"]);
  assert.equal(pipSupportsRawProgress("pip 26.3 from /v/lib/python3.11/site-packages/pip (python 3.11)"), true);
  assert.equal(pipSupportsRawProgress("pip 24.1 from /x (python 3.12)"), true);
  assert.equal(pipSupportsRawProgress("pip 23.2.1 from /x (python 3.11)"), false);
  assert.equal(pipSupportsRawProgress(""), false);
});

test("pip's lines become what the notification says", () => {
  const r = new PipProgressReader();
  assert.deepEqual(r.line("Collecting torch<3,>=2.4 (from tooln1==0.1.0)"), { message: "collecting torch (1 packages so far)" });
  assert.deepEqual(r.line("  Downloading torch-2.15.0-cp311-cp311-manylinux_2_28_x86_64.whl (539.1 MB)"), { message: "downloading torch (539.1 MB)", fraction: 0 });
  assert.deepEqual(r.line("Progress 262144 of 1048576"), { fraction: 0.25 });
  assert.equal(r.line("Progress 1 of 0"), undefined);
  assert.deepEqual(r.line("Collecting nvidia-nccl-cu13==2.30.7 (from torch<3,>=2.4->tooln1==0.1.0)"), { message: "collecting nvidia-nccl-cu13 (2 packages so far)" });
  assert.deepEqual(r.line("Processing ./wheels/torch-2.15.0-cp311-cp311-manylinux_2_28_x86_64.whl (from tooln1==0.1.0)"), { message: "processing torch" });
  assert.equal(r.line("Building wheels for collected packages: tooln1")?.message, "building wheels for collected packages: tooln1");
  assert.match(r.line("Installing collected packages: mpmath, sympy, torch, tooln1, trl, peft")!.message!, /^installing 6 packages \(tooln1, trl, peft, …\): large ones take minutes$/);
  assert.deepEqual(r.line("Successfully installed torch-2.15.0 trl-1.5.0"), { message: "installed" });
  assert.equal(r.line("  Stored in directory: /tmp/pip-ephem-wheel-cache/wheels/b2"), undefined);
});

test("lines split across chunks, CRLF and bare CR", () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push("Collecting to"), []);
  assert.deepEqual(s.push("rch\r\nProgress 1 of 2\rProgress 2 of 2\nInstal"), ["Collecting torch", "Progress 1 of 2", "Progress 2 of 2"]);
  assert.deepEqual(s.end(), ["Instal"]);
  assert.deepEqual(s.end(), []);
});
