// My tasks' filter bar: search, dataset, stage, status, delayed only, show done.
import { memo, useMemo, type RefObject } from "react";
import type { DatasetInfo } from "../../types";
import type { MyTaskFilters } from "../../model/filters";
import { STATUSES, statusLabel } from "../../model/vocabulary";
import { DatasetSelect } from "../../components/DatasetSelect";

export const MyTasksFilters = memo(function MyTasksFilters({
  filters,
  filtered,
  datasets,
  searchRef,
  setFilter,
  onClear,
}: {
  filters: MyTaskFilters;
  /** Some filter is set (offer to clear them). */
  filtered: boolean;
  datasets: DatasetInfo[];
  searchRef: RefObject<HTMLInputElement | null>;
  setFilter: <K extends keyof MyTaskFilters>(k: K, v: MyTaskFilters[K]) => void;
  onClear: () => void;
}) {
  const stages = useMemo(() => {
    const d = filters.datasetId ? datasets.find((x) => x.dataset_id === filters.datasetId) : undefined;
    return d ? d.stages : [...new Set(datasets.flatMap((x) => x.stages))];
  }, [datasets, filters.datasetId]);
  return (
    <div className="filters" role="search">
      {filters.taskIds.length > 0 && (
        <span className="chip" data-testid="filter-notified">
          {filters.taskIds.length} task{filters.taskIds.length === 1 ? "" : "s"} from a notification
          <button className="link" aria-label="Show all my tasks again" onClick={() => setFilter("taskIds", [])}>
            ✕
          </button>
        </span>
      )}
      <input
        ref={searchRef}
        type="search"
        placeholder="Search task, file or label id  /"
        value={filters.text}
        onChange={(e) => setFilter("text", e.target.value)}
        onKeyDown={(e) => e.key === "Escape" && (e.currentTarget.blur(), setFilter("text", ""))}
        aria-label="Search"
        data-testid="search"
      />
      <DatasetSelect
        datasets={datasets}
        value={filters.datasetId}
        onChange={(id) => setFilter("datasetId", id)}
        allowAll
      />
      <select
        value={filters.stageId ?? ""}
        onChange={(e) => setFilter("stageId", e.target.value || null)}
        aria-label="Stage"
      >
        <option value="">All stages</option>
        {stages.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <select
        value={filters.status ?? ""}
        onChange={(e) => setFilter("status", e.target.value || null)}
        aria-label="Status"
      >
        <option value="">{filters.showDone ? "All statuses" : "Open statuses"}</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {statusLabel(s)}
          </option>
        ))}
      </select>
      <label className="check">
        <input
          type="checkbox"
          checked={filters.delayedOnly}
          onChange={(e) => setFilter("delayedOnly", e.target.checked)}
        />
        Delayed only
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={filters.showDone}
          onChange={(e) => setFilter("showDone", e.target.checked)}
          data-testid="show-done"
        />
        Show done
      </label>
      {filtered && (
        <button className="link" onClick={onClear}>
          Clear filters
        </button>
      )}
    </div>
  );
});
