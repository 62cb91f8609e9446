// The modal dialog keeps focus inside and gives it back to its opener.
import { afterEach, expect, it } from "vitest";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { Dialog } from "./Dialog";

afterEach(cleanup);

function Opener() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button onClick={() => setOpen(true)}>Open</button>
      {open && (
        <Dialog title="Reject this task" onClose={() => setOpen(false)}>
          <textarea aria-label="Reason" />
          <button className="primary">Reject</button>
        </Dialog>
      )}
    </>
  );
}

it("takes focus, keeps it inside on Tab, and gives it back when closed", () => {
  render(<Opener />);
  const opener = screen.getByRole("button", { name: "Open" });
  opener.focus();
  act(() => opener.click());
  const dialog = screen.getByRole("dialog", { name: "Reject this task" });
  const reason = screen.getByRole("textbox", { name: "Reason" });
  expect(document.activeElement).toBe(reason);
  // Tab: reason → Reject → Close (first in the DOM) → reason again: never out of the dialog.
  fireEvent.keyDown(window, { key: "Tab" });
  expect(document.activeElement).toBe(screen.getByRole("button", { name: "Reject" }));
  fireEvent.keyDown(window, { key: "Tab" });
  expect(document.activeElement).toBe(screen.getByRole("button", { name: "Close" }));
  fireEvent.keyDown(window, { key: "Tab" });
  expect(document.activeElement).toBe(reason);
  fireEvent.keyDown(window, { key: "Tab", shiftKey: true });
  expect(dialog.contains(document.activeElement)).toBe(true);
  // Escape closes it, and focus is back on the button that opened it.
  act(() => {
    fireEvent.keyDown(window, { key: "Escape" });
  });
  expect(screen.queryByRole("dialog")).toBeNull();
  expect(document.activeElement).toBe(opener);
});

it("closes with its close button", () => {
  render(<Opener />);
  act(() => screen.getByRole("button", { name: "Open" }).click());
  act(() => screen.getByRole("button", { name: "Close" }).click());
  expect(screen.queryByRole("dialog")).toBeNull();
});
