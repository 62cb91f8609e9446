// "Copy diagnostics": a report for a bug (version, platform, sync status, queue counts, the
// last log lines; emails masked, never a token) put on the clipboard. The report is asked
// for when the button shows, so the click copies at once: WebKitGTK lets a page write the
// clipboard only within the click itself, not after waiting for the shell.
import { useQuery } from "@tanstack/react-query";
import { api, call } from "../api";
import { queryKeys } from "../queries/keys";
import { useErrorToast, useToast } from "./Toast";

/** Copies `text` through a selected, off-screen text area; whether the copy was made.
 * Focus goes back where it was (the button), not to the page. */
function copyText(text: string): boolean {
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  try {
    // The one clipboard write every webview allows within a click, without a plugin.
    return document.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
    focused?.focus();
  }
}

export function CopyDiagnostics() {
  const toast = useToast();
  const toastError = useErrorToast();
  const report = useQuery({ queryKey: queryKeys.diagnostics(), queryFn: () => call(api.diagnostics()) });
  const copy = () => {
    if (report.data === undefined) {
      toastError(report.error ?? new Error("The report is not ready yet; try again in a moment."));
    } else if (copyText(report.data)) {
      toast({ kind: "info", text: "Diagnostics copied: paste them into your bug report." });
    } else {
      toastError(new Error("The clipboard refused the report."));
    }
    // The next copy says how things are then.
    void report.refetch();
  };
  return (
    <button
      className="small"
      data-testid="copy-diagnostics"
      title="Version, platform, sync status and the last log lines, for a bug report (emails masked, never a token)"
      onClick={copy}
    >
      Copy diagnostics
    </button>
  );
}
