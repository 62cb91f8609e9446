// My tasks: what is assigned to me across datasets, worked from the keyboard or mouse.
// The filter bar, the rows and the keyboard are in ./mytasks.
import { useCallback, useMemo, useRef, useState } from "react";
import type { StatusAction } from "../model/vocabulary";
import type { TaskRow } from "../types";
import { refusal } from "../model/actions";
import { useToast } from "../components/Toast";
import { activeFilterCount, myTasksQuery, NO_FILTERS, type MyTaskFilters } from "../model/filters";
import { usePagedTasks } from "../queries/usePagedTasks";
import { useNow } from "../useNow";
import { useVirtualRows } from "../useVirtualRows";
import { HEAD_HEIGHT, ListHead } from "../components/ListHead";
import { datasetName, useDatasets } from "../useDatasets";
import { RejectDialog } from "../components/RejectDialog";
import { Empty, ErrorNote } from "../components/Empty";
import { MyTasksFilters } from "./mytasks/MyTasksFilters";
import { MyTasksHeader } from "./mytasks/MyTasksHeader";
import { TaskLine } from "./mytasks/TaskLine";
import { useListKeys } from "./mytasks/useListKeys";
import { useTaskActions, useUndo } from "./mytasks/useTaskActions";

const ROW_HEIGHT = 44;

const toggled = (s: Set<string>, id: string) => {
  const n = new Set(s);
  if (n.has(id)) n.delete(id);
  else n.add(id);
  return n;
};

export function MyTasks({ me, only }: { me: string; /** Start on these tasks (a notification's). */ only?: string[] }) {
  const [filters, setFilters] = useState<MyTaskFilters>(() => ({ ...NO_FILTERS, taskIds: only ?? [] }));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [cursor, setCursor] = useState(0);
  const [rejecting, setRejecting] = useState<string[] | null>(null);
  const search = useRef<HTMLInputElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const { datasets } = useDatasets();
  const byId = useMemo(() => new Map(datasets.map((d) => [d.dataset_id, d])), [datasets]);

  const query = useMemo(() => {
    const { limit: _l, offset: _o, ...rest } = myTasksQuery(me, filters, { limit: 0, offset: 0 });
    void _l;
    void _o;
    return rest;
  }, [me, filters]);
  const list = usePagedTasks(query);
  const total = list.total ?? 0;

  const virtualizer = useVirtualRows(total, scroller, ROW_HEIGHT, 6, list.show, HEAD_HEIGHT);
  const items = virtualizer.getVirtualItems();
  const now = useNow();

  const setFilter = useCallback(<K extends keyof MyTaskFilters>(k: K, v: MyTaskFilters[K]) => {
    setFilters((f) => ({ ...f, [k]: v }));
    setSelected(new Set());
    setCursor(0);
  }, []);
  const clearFilters = useCallback(() => {
    setFilters(NO_FILTERS);
    setSelected(new Set());
  }, []);

  /** The rows the actions apply to: the selection (made of loaded rows), or the row at
   * the cursor. */
  const chosenRows = useCallback((): TaskRow[] => {
    if (selected.size > 0) return list.loadedRows().filter((r) => selected.has(r.task_id));
    const row = list.rowAt(cursor);
    return row ? [row] : [];
  }, [selected, list, cursor]);

  const queue = useTaskActions();
  const undo = useUndo();
  const act = useCallback(
    async (kind: StatusAction, ids: string[], reason?: string) => {
      if (await queue(kind, ids, reason)) setSelected(new Set());
    },
    [queue],
  );
  /** An action asked for (button or key): said why not, before any dialog, when it
   * cannot apply; the reason dialog for a reject; queued otherwise. */
  const toast = useToast();
  const tryAct = useCallback(
    (kind: StatusAction) => {
      const rows = chosenRows();
      const why = refusal(kind, rows);
      if (why) toast({ kind: "error", text: why }, 7000);
      else if (kind === "reject") setRejecting(rows.map((r) => r.task_id));
      else
        void act(
          kind,
          rows.map((r) => r.task_id),
        );
    },
    [chosenRows, act, toast],
  );

  const moveCursor = useCallback(
    (to: number, extend: boolean) => {
      const next = Math.max(0, Math.min(total - 1, to));
      setCursor(next);
      virtualizer.scrollToIndex(next, { align: "auto" });
      // The row under the cursor takes focus once it is drawn: a screen reader reads it.
      requestAnimationFrame(() =>
        scroller.current?.querySelector<HTMLElement>(`[role=row][aria-rowindex="${next + 2}"]`)?.focus(),
      );
      if (extend) {
        const row = list.rowAt(next);
        const from = list.rowAt(cursor);
        if (row && from) setSelected((s) => new Set([...s, from.task_id, row.task_id]));
      }
    },
    [total, virtualizer, list, cursor],
  );

  const toggle = useCallback((id: string) => setSelected((s) => toggled(s, id)), []);
  const clear = useCallback(() => setSelected(new Set()), []);
  const undoRow = useCallback((id: string) => void undo([id]), [undo]);
  useListKeys({
    paused: rejecting !== null,
    list,
    cursor,
    moveCursor,
    toggle,
    selectAll: () => setSelected(new Set(list.loadedIds())),
    clear,
    act: (kind) => tryAct(kind),
    reject: () => tryAct("reject"),
    focusSearch: () => search.current?.focus(),
  });

  const chosen = useMemo(() => chosenRows(), [chosenRows]);
  const filtered = activeFilterCount(filters) > 0;

  return (
    <section className="view" aria-label="My tasks">
      <MyTasksHeader total={list.total} selectedCount={selected.size} chosen={chosen} onAct={tryAct} query={query} />
      <MyTasksFilters
        filters={filters}
        filtered={filtered}
        datasets={datasets}
        searchRef={search}
        setFilter={setFilter}
        onClear={clearFilters}
      />
      {list.error && <ErrorNote message={list.error.message} />}
      {list.total === 0 ? (
        filtered ? (
          <Empty title="No task matches these filters">Clear a filter or search for something else.</Empty>
        ) : (
          <Empty title="Nothing to do — no open task is assigned to you">
            New work appears here when a manager assigns it to you. Tick “Show done” to see what you finished.
          </Empty>
        )
      ) : (
        <div
          className="list"
          ref={scroller}
          role="grid"
          aria-rowcount={total + 1}
          aria-multiselectable="true"
          aria-label="Tasks"
          tabIndex={-1}
        >
          <div style={{ height: virtualizer.getTotalSize() }} className="list-inner">
            <ListHead columns={["", "Task", "Dataset", "Stage", "Status", "Due", "Sync"]} />
            {items.map((item) => {
              const row = list.rowAt(item.index);
              return (
                <TaskLine
                  key={item.key}
                  top={item.start}
                  index={item.index}
                  row={row}
                  datasetLabel={row ? datasetName(byId.get(row.dataset_id), row.dataset_id) : ""}
                  selected={row ? selected.has(row.task_id) : false}
                  focused={item.index === cursor}
                  now={now}
                  onToggle={toggle}
                  onFocus={setCursor}
                  onUndo={undoRow}
                />
              );
            })}
          </div>
        </div>
      )}
      {rejecting && (
        <RejectDialog
          taskIds={rejecting}
          onClose={() => setRejecting(null)}
          onReject={(reason) => {
            void act("reject", rejecting, reason);
            setRejecting(null);
          }}
        />
      )}
    </section>
  );
}
