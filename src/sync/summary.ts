/**
 * The report of a sync for people (a table: one row per tag, then the totals) and for
 * machines (one JSON document). Error texts are made by the caller (one line each).
 * @module
 */
import { formatBytes } from "../util/text.js";
import { describeDestination, sourceKey } from "./plan.js";
import type { ItemResult } from "./runner.js";
import type { SyncReport } from "./sync.js";

/** Makes one line of an error. */
export type ErrorText = (err: unknown) => string;

function short(digest: string | undefined): string {
  return digest ? digest.slice(0, 19) : "-";
}

function destinationOf(r: ItemResult): string {
  return `${describeDestination(r.item.to)}:${r.item.tag}`;
}

/** The table: its header and one row per tag (and per repository that could not be listed). */
export function summaryTable(report: SyncReport, dryRun = false): { header: string[]; rows: string[][] } {
  const header = ["SOURCE", "DESTINATION", dryRun ? "PLAN" : "RESULT", "DIGEST", "BYTES"];
  const rows: string[][] = [];
  for (const r of report.results) {
    const status = dryRun ? (r.status === "planned" ? "copy" : r.status === "skipped" ? "up to date" : r.status) : r.status;
    rows.push([sourceKey(r.item), destinationOf(r), status, short(r.digest), formatBytes(r.bytes)]);
  }
  for (const f of report.planFailures) rows.push([f.what, "-", "failed", "-", "-"]);
  return { header, rows };
}

/** The totals line. */
export function summaryTotals(report: SyncReport, dryRun = false): string {
  if (dryRun) return `would copy ${report.results.filter((r) => r.status === "planned").length}, up to date ${report.skipped}, failed ${report.failed} (${report.total} tags in all shards)`;
  return `copied ${report.copied}, skipped ${report.skipped}, failed ${report.failed}, ${formatBytes(report.bytes)} moved (${report.total} tags in all shards)`;
}

/** The `--json` document. */
export function summaryJson(report: SyncReport, errorText: ErrorText, dryRun = false): unknown {
  return {
    dryRun,
    total: report.total,
    copied: report.copied,
    skipped: report.skipped,
    failed: report.failed,
    bytes: report.bytes,
    images: report.results.map((r) => ({
      source: sourceKey(r.item),
      destination: destinationOf(r),
      result: r.status,
      ...(r.digest ? { digest: r.digest } : {}),
      ...(r.manifest ? { manifest: r.manifest } : {}),
      bytes: r.bytes,
      blobs: r.blobs,
      ...(r.error !== undefined ? { error: errorText(r.error) } : {}),
    })),
    repositories: report.planFailures.map((f) => ({ repository: f.what, result: "failed", error: errorText(f.error) })),
  };
}
