// Counting GPUs for the process-count choice of Train Tool-N1 (src/node/gpus.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseGpuList, processChoices, visibleGpus } from "../../src/node/gpus";

test("parseGpuList counts GPU lines, not MIG devices or noise", () => {
  const out = [
    "GPU 0: NVIDIA H200 (UUID: GPU-1a)",
    "  MIG 1g.18gb     Device  0: (UUID: MIG-2b)",
    "GPU 1: NVIDIA H200 (UUID: GPU-3c)",
    "",
  ].join("\n");
  assert.equal(parseGpuList(out), 2);
  assert.equal(parseGpuList("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."), 0);
  assert.equal(parseGpuList(""), 0);
});

test("visibleGpus follows CUDA_VISIBLE_DEVICES", () => {
  assert.equal(visibleGpus(8, undefined), 8);
  assert.equal(visibleGpus(8, "0,1,2"), 3);
  assert.equal(visibleGpus(8, ""), 0);
  assert.equal(visibleGpus(8, "-1"), 0);
  assert.equal(visibleGpus(8, "0,-1,2"), 1);
  assert.equal(visibleGpus(2, "0,1,2,3"), 2);
});

test("processChoices: one per GPU first, down to 1", () => {
  assert.deepEqual(processChoices(4).map((c) => c.processes), [4, 3, 2, 1]);
  assert.match(processChoices(4)[0].description, /default/);
  assert.deepEqual(processChoices(0).map((c) => c.processes), [1]);
});
