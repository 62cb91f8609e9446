// Connect a Deepen account: server, client id, email and token. The token goes to the
// OS credential store through the shell and is never shown again.
import { useState, type FormEvent } from "react";
import { api, call } from "../api";
import { errorText } from "../keys";

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

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const report = await call(api.connect(server, clientId, email, token));
      setToken("");
      if (!report.validated)
        setNote("Deepen could not be reached, so the token was not checked yet. It will be on the next sync.");
      onDone?.();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="connect">
      <form className="card connect-card" onSubmit={(e) => void submit(e)} aria-labelledby="connect-title">
        <h1 className="brand big" id="connect-title">
          <span className="logo" aria-hidden="true">
            ✓
          </span>{" "}
          Deepen Tasks
        </h1>
        <p className="muted">
          Connect your Deepen account. Your tasks are kept on this computer, so you can work without a network.
        </p>
        <label>
          Server
          <input value={server} onChange={(e) => setServer(e.target.value)} required spellCheck={false} />
        </label>
        <label>
          Client id
          <input value={clientId} onChange={(e) => setClientId(e.target.value)} required spellCheck={false} />
        </label>
        <label>
          Email
          <input
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            autoComplete="username"
          />
        </label>
        <label>
          Access token
          <input type="password" value={token} onChange={(e) => setToken(e.target.value)} required autoComplete="off" />
          <span className="hint">Kept in your system's credential store, never in the app's files.</span>
        </label>
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
              onClick={() => call(api.startDemo()).catch((err: unknown) => setError(errorText(err)))}
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
