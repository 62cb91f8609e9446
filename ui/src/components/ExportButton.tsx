// Exports what a view shows as a CSV file in the downloads folder, and says where.
import { useState } from "react";
import type { Export } from "../types";
import { api, call } from "../api";
import { useErrorToast, useToast } from "./Toast";

export function ExportButton({ what, label = "Export CSV" }: { what: Export; label?: string }) {
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const toastError = useErrorToast();
  const run = async () => {
    setBusy(true);
    try {
      const done = await call(api.exportCsv(what));
      toast({ kind: "info", text: `Saved ${done.rows} row${done.rows === 1 ? "" : "s"} to ${done.path}` }, 9000);
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button className="secondary" onClick={() => void run()} disabled={busy} data-testid={`export-${what.what}`}>
      {busy ? "Exporting…" : label}
    </button>
  );
}
