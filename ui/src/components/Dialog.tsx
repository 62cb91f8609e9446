// A modal dialog: focus moves in and stays in (Tab and Shift+Tab cycle through its
// controls), Escape or the close button closes it, and focus goes back to what opened it.
import { useEffect, useId, useRef, type ReactNode } from "react";

const FOCUSABLE = 'textarea, input, select, button, a[href], [tabindex]:not([tabindex="-1"])';

/** The dialog's controls that take focus, in order. */
function focusables(el: HTMLElement): HTMLElement[] {
  return [...el.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((e) => !e.hasAttribute("disabled"));
}

export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useEffect(() => {
    const el = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (el) {
      // The first field or action, not the close button (it comes first in the DOM).
      const first = el.querySelector<HTMLElement>("textarea, input, select, button.primary") ?? focusables(el)[0];
      (first ?? el).focus();
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        onClose();
      } else if (e.key === "Tab" && el) {
        const all = focusables(el);
        if (all.length === 0) return;
        const at = all.indexOf(document.activeElement as HTMLElement);
        const next = e.shiftKey ? (at <= 0 ? all.length - 1 : at - 1) : at === all.length - 1 ? 0 : at + 1;
        e.preventDefault();
        all[next]!.focus();
      }
    };
    window.addEventListener("keydown", onKey, true);
    return () => {
      window.removeEventListener("keydown", onKey, true);
      // Back to the opener, if it is still there (a row may have gone with the action).
      if (opener?.isConnected) opener.focus();
    };
  }, [onClose]);
  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={ref} tabIndex={-1}>
        <div className="dialog-head">
          <h2 id={titleId}>{title}</h2>
          <button className="plain close" aria-label="Close" title="Close (Esc)" onClick={onClose}>
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
