// The connect form's fields, checked before anything is sent: each problem in words,
// by field. The shell checks again (the URL rules are the core's); this only saves a
// round trip and says what is wrong next to the field.

export interface ConnectFields {
  server: string;
  clientId: string;
  email: string;
  token: string;
}

export type ConnectProblems = Partial<Record<keyof ConnectFields, string>>;

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

export function connectProblems(f: ConnectFields): ConnectProblems {
  const problems: ConnectProblems = {};
  const server = f.server.trim();
  const url = parseUrl(server);
  if (!server) problems.server = "Enter Deepen's API address.";
  else if (!url || (url.protocol !== "https:" && url.protocol !== "http:"))
    problems.server = "Enter an address starting with https://, such as https://tools.deepen.ai/api/v2.";
  else if (url.protocol === "http:" && !LOOPBACK.has(url.hostname))
    problems.server = "Use https:// — plain http:// is only allowed to this computer (localhost).";
  const clientId = f.clientId.trim();
  if (!clientId) problems.clientId = "Enter your workspace's client id.";
  else if (/[\s/?#]/.test(clientId)) problems.clientId = "A client id has no spaces or slashes.";
  const email = f.email.trim();
  if (!email) problems.email = "Enter the email you sign in to Deepen with.";
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problems.email = "Enter an email address like you@example.com.";
  if (!f.token.trim()) problems.token = "Paste your Deepen access token.";
  return problems;
}
