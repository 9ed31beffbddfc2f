/** What one run-record export call did, and the zero it starts from (seed 002). */

/** What one export call did. */
export interface ExportStats {
  records_processed: number;
  /** Records that got a manifest line in this call. */
  records_exported: number;
  new_images: number;
  /** Exported records whose screenshot was already stored. */
  duplicate_images: number;
  /** Records whose key was already in the manifest (skipped, nothing written). */
  already_exported: number;
  skipped_no_screenshot: number;
  filtered: number;
  annotations_added: number;
  export_time_seconds: number;
}

/** Fresh all-zero stats: the start of one export call or of a service's running totals. */
export function emptyExportStats(): ExportStats {
  return {
    records_processed: 0,
    records_exported: 0,
    new_images: 0,
    duplicate_images: 0,
    already_exported: 0,
    skipped_no_screenshot: 0,
    filtered: 0,
    annotations_added: 0,
    export_time_seconds: 0,
  };
}
