// Short messages at the bottom right: results, errors, and the board's undo.
import { createContext, useCallback, useContext, useState, type ReactNode } from "react";
import { errorText } from "../keys";

export interface ToastItem {
  id: number;
  text: string;
  kind: "info" | "error";
  action?: { label: string; run: () => void };
}

type Show = (t: Omit<ToastItem, "id">, ms?: number) => void;

const ToastContext = createContext<Show>(() => undefined);

export function useToast(): Show {
  return useContext(ToastContext);
}

/** Shows a failure (a command's readable error, or anything thrown) as an error toast. */
export function useErrorToast(): (e: unknown) => void {
  const toast = useToast();
  return useCallback((e: unknown) => toast({ kind: "error", text: errorText(e) }, 9000), [toast]);
}

export function ToastHost({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const show = useCallback<Show>((t, ms = 6000) => {
    const id = Date.now() + Math.random();
    setItems((old) => [...old.slice(-2), { ...t, id }]);
    setTimeout(() => setItems((old) => old.filter((i) => i.id !== id)), ms);
  }, []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div className="toasts" aria-live="polite">
        {items.map((t) => (
          <div key={t.id} className={`toast ${t.kind}`} data-testid="toast">
            <span>{t.text}</span>
            {t.action && (
              <button
                className="small"
                data-testid="toast-action"
                onClick={() => {
                  t.action!.run();
                  setItems((old) => old.filter((i) => i.id !== t.id));
                }}
              >
                {t.action.label}
              </button>
            )}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
