/**
 * How many GPUs a training run here can use: `nvidia-smi -L` lines, limited by CUDA_VISIBLE_DEVICES
 * as the trainer's CUDA will see it. 0 when nvidia-smi is absent or fails. No vscode import.
 */
import { execFile } from "node:child_process";

/** GPUs listed by `nvidia-smi -L` ("GPU 0: NVIDIA H200 (UUID: ...)"; MIG lines are not GPUs). */
export function parseGpuList(out: string): number {
  return out.split(/\r?\n/).filter((l) => /^GPU \d+:/.test(l.trim())).length;
}

/** The GPUs CUDA exposes given CUDA_VISIBLE_DEVICES (unset: all of them; "" or "-1": none). */
export function visibleGpus(found: number, cudaVisible: string | undefined): number {
  if (cudaVisible === undefined) return found;
  const ids: string[] = [];
  for (const id of cudaVisible.split(",").map((s) => s.trim())) {
    if (!id || id.startsWith("-")) break; // CUDA stops at the first invalid entry
    ids.push(id);
  }
  return Math.min(found, ids.length);
}

export function countGpus(env: NodeJS.ProcessEnv = process.env, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve) => {
    execFile("nvidia-smi", ["-L"], { timeout: timeoutMs, windowsHide: true }, (err, out) => {
      resolve(err ? 0 : visibleGpus(parseGpuList(String(out)), env.CUDA_VISIBLE_DEVICES));
    });
  });
}

/** Choices for "how many training processes": one per GPU first (the default), then fewer. */
export function processChoices(gpus: number): { processes: number; label: string; description: string }[] {
  const out = [];
  for (let n = Math.max(gpus, 1); n >= 1; n--) {
    out.push({
      processes: n,
      label: n === 1 ? "1 process" : `${n} processes`,
      description: n === gpus && gpus > 1 ? "one per GPU (default)" : n === 1 ? "one GPU" : `${n} of ${gpus} GPUs`,
    });
  }
  return out;
}
