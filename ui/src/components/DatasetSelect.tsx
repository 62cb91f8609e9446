// The one dataset picker of every view: datasets by name, and "All datasets" where a view
// can show them all.
import type { DatasetInfo } from "../types";
import { datasetName } from "../useDatasets";

export function DatasetSelect({
  datasets,
  value,
  onChange,
  allowAll = false,
  testId,
}: {
  datasets: readonly DatasetInfo[];
  /** The chosen dataset; `null` for all of them (only with `allowAll`). */
  value: string | null;
  onChange: (datasetId: string | null) => void;
  allowAll?: boolean;
  testId?: string;
}) {
  return (
    <select
      value={value ?? ""}
      onChange={(e) => onChange(e.target.value || null)}
      aria-label="Dataset"
      data-testid={testId}
    >
      {allowAll && <option value="">All datasets</option>}
      {datasets.map((d) => (
        <option key={d.dataset_id} value={d.dataset_id}>
          {datasetName(d, d.dataset_id)}
        </option>
      ))}
    </select>
  );
}
