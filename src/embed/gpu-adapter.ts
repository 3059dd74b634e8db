/**
 * Whether this browser offers a WebGPU adapter (window or worker). The inference worker asks before
 * it tries WebGPU; the offline copy asks before it stores the runtime build only WebGPU runs.
 */
export async function webgpuAdapter(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}
