// Connect a Deepen account: server, client id, email and token. The token goes to the
// OS credential store through the shell and is never shown again.
import { cloneElement, useState, type FormEvent, type ReactElement } from "react";
import { api, call } from "../api";
import { errorText } from "../keys";
import { connectProblems, type ConnectProblems } from "../model/connect";
import { useToast } from "../components/Toast";

export function Connect({
  onCancel,
  onDone,
  startError,
}: {
  onCancel?: () => void;
  /** Connected: the caller leaves this screen (a new session may not remount it). */
  onDone?: () => void;
  startError?: string | null;
}) {
  const [server, setServer] = useState("https://tools.deepen.ai/api/v2");
  const [clientId, setClientId] = useState("");
  const [email, setEmail] = useState("");
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const [tried, setTried] = useState(false);
  const toast = useToast();
  const problems = connectProblems({ server, clientId, email, token });
  // Problems show once the user tried to connect, then follow the typing.
  const shown: ConnectProblems = tried ? problems : {};

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    const first = Object.keys(problems)[0];
    if (first) {
      document.getElementById(`connect-${first === "clientId" ? "client-id" : first}`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const report = await call(api.connect(server, clientId, email, token));
      setToken("");
      if (!report.validated)
        setNote("Deepen could not be reached, so the token was not checked yet. It will be on the next sync.");
      if (report.store_unavailable)
        toast(
          {
            kind: "info",
            text: "This computer has no credential store, so your token is kept for this session only: after a restart, sign in again (or start the app with DEEPEN_TOKEN set).",
          },
          15000,
        );
      onDone?.();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="connect">
      <form className="card connect-card" onSubmit={(e) => void submit(e)} aria-labelledby="connect-title" noValidate>
        <h1 className="brand big" id="connect-title">
          <span className="logo" aria-hidden="true">
            ✓
          </span>{" "}
          Deepen Tasks
        </h1>
        <p className="muted">
          Connect your Deepen account. Your tasks are kept on this computer, so you can work without a network.
        </p>
        <Field
          id="server"
          label="Server"
          hint="Deepen's API address; https://tools.deepen.ai/api/v2 unless your company runs its own."
          problem={shown.server}
        >
          <input value={server} onChange={(e) => setServer(e.target.value)} spellCheck={false} />
        </Field>
        <Field
          id="client-id"
          label="Client id"
          hint="Your workspace's id: ask your Deepen admin, or see the address bar of Deepen's web app (…/workspace/<client id>/…)."
          problem={shown.clientId}
        >
          <input value={clientId} onChange={(e) => setClientId(e.target.value)} spellCheck={false} />
        </Field>
        <Field id="email" label="Email" problem={shown.email}>
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" />
        </Field>
        <Field
          id="token"
          label="Access token"
          hint="Made by a workspace admin in Deepen's web app. Kept in your system's credential store (or for this session only where there is none), never in the app's files."
          problem={shown.token}
        >
          <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" />
        </Field>
        {startError && !error && (
          <div className="error-note" role="alert" data-testid="start-error">
            The workspace could not be opened: {startError}
          </div>
        )}
        {error && (
          <div className="error-note" role="alert">
            {error}
          </div>
        )}
        {note && <div className="note">{note}</div>}
        <div className="row end">
          {onCancel ? (
            <button type="button" onClick={onCancel}>
              Back
            </button>
          ) : (
            <button
              type="button"
              onClick={() => call(api.startDemo(null)).catch((err: unknown) => setError(errorText(err)))}
              data-testid="try-demo"
            >
              Try the demo
            </button>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Connecting…" : "Connect"}
          </button>
        </div>
      </form>
    </main>
  );
}

/** A labelled field with its hint and, once the user tried, what is wrong with it. */
function Field({
  id,
  label,
  hint,
  problem,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  problem?: string;
  children: ReactElement<Record<string, unknown>>;
}) {
  const inputId = `connect-${id}`;
  const described = [hint && `${inputId}-hint`, problem && `${inputId}-problem`].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      {cloneElement(children, {
        id: inputId,
        "aria-invalid": problem ? true : undefined,
        "aria-describedby": described || undefined,
      })}
      {hint && (
        <span className="hint" id={`${inputId}-hint`}>
          {hint}
        </span>
      )}
      {problem && (
        <span className="field-problem" id={`${inputId}-problem`} data-testid={`${inputId}-problem`}>
          {problem}
        </span>
      )}
    </div>
  );
}
