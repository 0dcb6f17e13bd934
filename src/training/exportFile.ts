/** The bytes of a chart exported from the dashboard (no vscode: tested under node --test). */
const MAX_EXPORT_BYTES = 64 * 1024 * 1024;
const PNG_PREFIX = "data:image/png;base64,";

/** The file bytes of an export message, or why it cannot be saved. */
export function exportBytes(format: "png" | "csv", data: string): Uint8Array | string {
  if (data.length > MAX_EXPORT_BYTES) return "The export is too large to save.";
  if (format === "csv") return Buffer.from(data, "utf8");
  if (!data.startsWith(PNG_PREFIX)) return "The chart image could not be made (no PNG data).";
  const bytes = Buffer.from(data.slice(PNG_PREFIX.length), "base64");
  const magic = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) return "The chart image is not a PNG.";
  return bytes;
}
