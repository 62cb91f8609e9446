// The connect screen says what is wrong next to each field before anything is sent.
import { afterEach, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { Connect } from "./Connect";

const shell = vi.hoisted(() => ({ connects: 0 }));

vi.mock("../bindings", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../bindings")>();
  return {
    ...actual,
    commands: {
      ...actual.commands,
      connect: () => {
        shell.connects += 1;
        return Promise.resolve({ status: "ok", data: { validated: true } });
      },
    },
  };
});

afterEach(cleanup);

it("an empty submit says what each field needs, focuses the first, and sends nothing", () => {
  render(<Connect />);
  fireEvent.change(screen.getByLabelText("Server"), { target: { value: "" } });
  act(() => screen.getByRole("button", { name: "Connect" }).click());
  expect(screen.getByText("Enter Deepen's API address.")).toBeTruthy();
  expect(screen.getByText("Enter your workspace's client id.")).toBeTruthy();
  expect(screen.getByText("Paste your Deepen access token.")).toBeTruthy();
  const server = screen.getByLabelText("Server");
  expect(document.activeElement).toBe(server);
  expect(server.getAttribute("aria-invalid")).toBe("true");
  expect(server.getAttribute("aria-describedby")).toContain("connect-server-problem");
  expect(shell.connects).toBe(0);
});

it("sends a complete form", async () => {
  render(<Connect />);
  fireEvent.change(screen.getByLabelText("Client id"), { target: { value: "acme" } });
  fireEvent.change(screen.getByLabelText("Email"), { target: { value: "ana@example.com" } });
  fireEvent.change(screen.getByLabelText("Access token"), { target: { value: "t0k" } });
  await act(async () => {
    screen.getByRole("button", { name: "Connect" }).click();
    await Promise.resolve();
  });
  expect(shell.connects).toBe(1);
});
