// The column headers of a virtualized list: the first row of its grid or table, sticky at
// the top while the rows scroll under it. Empty names are for columns of controls.
export const HEAD_HEIGHT = 32;

export function ListHead({ columns, className }: { columns: readonly string[]; className?: string }) {
  return (
    <div role="row" aria-rowindex={1} className={`row-line head${className ? ` ${className}` : ""}`}>
      {columns.map((name, i) => (
        <span role="columnheader" key={i}>
          {name || <span className="sr-only">Selected</span>}
        </span>
      ))}
    </div>
  );
}
