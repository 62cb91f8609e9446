import { Dialog } from "./Dialog";

const SHORTCUTS: [string, string][] = [
  ["1 – 6", "Go to My tasks, Board, Delayed, Overview, Activity, Sync centre"],
  ["↑ ↓ or j k", "Move through the list"],
  ["x or Space", "Select or unselect the task"],
  ["Shift + ↑ ↓", "Extend the selection"],
  ["Ctrl + A", "Select every task shown"],
  ["s", "Submit the selected tasks"],
  ["a", "Accept the selected tasks"],
  ["r", "Reject the selected tasks (asks for a reason)"],
  ["/", "Search"],
  ["Esc", "Clear the selection, close a dialog"],
  ["Board: Space, arrows, Space", "Pick up a card, move it to another column, drop it"],
  ["?", "Show or hide this sheet"],
];

export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([k, what]) => (
            <tr key={k}>
              <td>
                <kbd>{k}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
