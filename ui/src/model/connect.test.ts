import { expect, it } from "vitest";
import { connectProblems } from "./connect";

const good = { server: "https://tools.deepen.ai/api/v2", clientId: "acme", email: "ana@example.com", token: "t0k" };

it("finds nothing wrong with a complete form", () => {
  expect(connectProblems(good)).toEqual({});
  expect(connectProblems({ ...good, server: "http://127.0.0.1:8080" })).toEqual({});
});

it("says what is missing, field by field", () => {
  expect(Object.keys(connectProblems({ server: "", clientId: "", email: "", token: "" })).sort()).toEqual([
    "clientId",
    "email",
    "server",
    "token",
  ]);
});

it("says what is wrong with what was typed", () => {
  expect(connectProblems({ ...good, server: "tools.deepen.ai" }).server).toMatch(/https:\/\//);
  expect(connectProblems({ ...good, server: "http://tools.deepen.ai/api/v2" }).server).toMatch(
    /only allowed to this computer/,
  );
  expect(connectProblems({ ...good, clientId: "acme/x" }).clientId).toMatch(/no spaces or slashes/);
  expect(connectProblems({ ...good, email: "ana" }).email).toMatch(/you@example.com/);
  expect(connectProblems({ ...good, token: "   " }).token).toMatch(/access token/);
});
