// My tasks: what is assigned to me across datasets, worked from the keyboard or mouse.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ActionKind, TaskRow } from "../types";
import { api, call, UserError } from "../api";
import { dialogOpen, isTyping } from "../keys";
import { activeFilterCount, myTasksQuery, NO_FILTERS, type MyTaskFilters } from "../model/filters";
import { STATUSES, statusLabel } from "../model/badges";
import { dueText } from "../model/format";
import { useNow } from "../useNow";
import { markListPainted } from "../metrics";
import { usePagedTasks } from "../usePagedTasks";
import { useVirtualRows } from "../useVirtualRows";
import { datasetName, useDatasets } from "../useDatasets";
import { StatusPill, SyncBadge } from "../components/TaskBadges";
import { RejectDialog } from "../components/RejectDialog";
import { Empty, ErrorNote } from "../components/Empty";
import { useToast } from "../components/Toast";

const ROW_HEIGHT = 44;

export function MyTasks({ me, version }: { me: string; version: number }) {
  const [filters, setFilters] = useState<MyTaskFilters>(NO_FILTERS);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [cursor, setCursor] = useState(0);
  const [rejecting, setRejecting] = useState<string[] | null>(null);
  const toast = useToast();
  const search = useRef<HTMLInputElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const { datasets } = useDatasets(version);
  const byId = useMemo(() => new Map(datasets.map((d) => [d.dataset_id, d])), [datasets]);
  const stages = useMemo(() => {
    const d = filters.datasetId ? byId.get(filters.datasetId) : undefined;
    return d ? d.stages : [...new Set(datasets.flatMap((x) => x.stages))];
  }, [byId, datasets, filters.datasetId]);

  const query = useMemo(() => {
    const { limit: _l, offset: _o, ...rest } = myTasksQuery(me, filters, { limit: 0, offset: 0 });
    void _l;
    void _o;
    return rest;
  }, [me, filters]);
  const list = usePagedTasks(query, version);
  const total = list.total ?? 0;

  const virtualizer = useVirtualRows(total, scroller, ROW_HEIGHT, 12, list.show);
  const items = virtualizer.getVirtualItems();

  const setFilter = <K extends keyof MyTaskFilters>(k: K, v: MyTaskFilters[K]) => {
    setFilters((f) => ({ ...f, [k]: v }));
    setSelected(new Set());
    setCursor(0);
  };

  const targets = useCallback((): string[] => {
    if (selected.size > 0) return [...selected];
    const row = list.rowAt(cursor);
    return row ? [row.task_id] : [];
  }, [selected, list, cursor]);

  const act = useCallback(
    async (kind: ActionKind, ids: string[], reason?: string) => {
      if (ids.length === 0) return;
      try {
        const n = await call(api.act(kind, ids, reason ?? null));
        const verb = { submit: "Submitted", accept: "Accepted", reject: "Rejected" }[kind];
        toast({ kind: "info", text: `${verb} ${n === 1 ? ids[0] : `${n} tasks`} — will sync automatically.` });
        setSelected(new Set());
      } catch (e) {
        toast({ kind: "error", text: e instanceof UserError ? e.message : String(e) }, 9000);
      }
    },
    [toast],
  );

  const moveCursor = useCallback(
    (to: number, extend: boolean) => {
      const next = Math.max(0, Math.min(total - 1, to));
      setCursor(next);
      virtualizer.scrollToIndex(next, { align: "auto" });
      if (extend) {
        const row = list.rowAt(next);
        const from = list.rowAt(cursor);
        if (row && from) setSelected((s) => new Set([...s, from.task_id, row.task_id]));
      }
    },
    [total, virtualizer, list, cursor],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (rejecting || isTyping(e) || dialogOpen()) return;
      const row = list.rowAt(cursor);
      if (e.key === "ArrowDown" || e.key === "j") moveCursor(cursor + 1, e.shiftKey);
      else if (e.key === "ArrowUp" || e.key === "k") moveCursor(cursor - 1, e.shiftKey);
      else if ((e.key === "x" || e.key === " ") && row) {
        setSelected((s) => {
          const n = new Set(s);
          if (n.has(row.task_id)) n.delete(row.task_id);
          else n.add(row.task_id);
          return n;
        });
      } else if (e.key === "a" && (e.ctrlKey || e.metaKey)) setSelected(new Set(list.loadedIds()));
      else if (e.ctrlKey || e.metaKey || e.altKey) return;
      else if (e.key === "s") void act("submit", targets());
      else if (e.key === "a") void act("accept", targets());
      else if (e.key === "r") {
        const t = targets();
        if (t.length) setRejecting(t);
      } else if (e.key === "/") search.current?.focus();
      else if (e.key === "Escape") setSelected(new Set());
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [cursor, list, moveCursor, act, targets, rejecting]);

  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  const chosen = targets();
  const filtered = activeFilterCount(filters) > 0;

  return (
    <section className="view" aria-label="My tasks">
      <header className="view-head">
        <h1>My tasks</h1>
        <span className="muted" data-testid="task-total">
          {list.total === null ? "" : `${total} task${total === 1 ? "" : "s"}`}
        </span>
        <span className="spacer" />
        <div className="actions" role="toolbar" aria-label="Actions on the selected tasks">
          <span className="muted">{selected.size > 0 ? `${selected.size} selected` : ""}</span>
          <button data-testid="action-submit" disabled={!chosen.length} onClick={() => void act("submit", chosen)}>
            Submit <kbd>s</kbd>
          </button>
          <button data-testid="action-accept" disabled={!chosen.length} onClick={() => void act("accept", chosen)}>
            Accept <kbd>a</kbd>
          </button>
          <button data-testid="action-reject" disabled={!chosen.length} onClick={() => setRejecting(chosen)}>
            Reject… <kbd>r</kbd>
          </button>
        </div>
      </header>
      <div className="filters" role="search">
        <input
          ref={search}
          type="search"
          placeholder="Search task, file or label id  /"
          value={filters.text}
          onChange={(e) => setFilter("text", e.target.value)}
          onKeyDown={(e) => e.key === "Escape" && (e.currentTarget.blur(), setFilter("text", ""))}
          aria-label="Search"
          data-testid="search"
        />
        <select
          value={filters.datasetId ?? ""}
          onChange={(e) => setFilter("datasetId", e.target.value || null)}
          aria-label="Dataset"
        >
          <option value="">All datasets</option>
          {datasets.map((d) => (
            <option key={d.dataset_id} value={d.dataset_id}>
              {datasetName(d, d.dataset_id)}
            </option>
          ))}
        </select>
        <select value={filters.stageId ?? ""} onChange={(e) => setFilter("stageId", e.target.value || null)} aria-label="Stage">
          <option value="">All stages</option>
          {stages.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <select value={filters.status ?? ""} onChange={(e) => setFilter("status", e.target.value || null)} aria-label="Status">
          <option value="">{filters.showDone ? "All statuses" : "Open statuses"}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
        <label className="check">
          <input type="checkbox" checked={filters.delayedOnly} onChange={(e) => setFilter("delayedOnly", e.target.checked)} />
          Delayed only
        </label>
        <label className="check">
          <input type="checkbox" checked={filters.showDone} onChange={(e) => setFilter("showDone", e.target.checked)} data-testid="show-done" />
          Show done
        </label>
        {filtered && (
          <button className="link" onClick={() => (setFilters(NO_FILTERS), setSelected(new Set()))}>
            Clear filters
          </button>
        )}
      </div>
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
        <div className="list" ref={scroller} role="grid" aria-rowcount={total} aria-label="Tasks" tabIndex={-1}>
          <div style={{ height: virtualizer.getTotalSize() }} className="list-inner">
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
                  onToggle={toggle}
                  onFocus={() => setCursor(item.index)}
                />
              );
            })}
          </div>
        </div>
      )}
      {rejecting && (
        <RejectDialog
          count={rejecting.length}
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

function TaskLine({
  top,
  index,
  row,
  datasetLabel,
  selected,
  focused,
  onToggle,
  onFocus,
}: {
  top: number;
  index: number;
  row: TaskRow | undefined;
  datasetLabel: string;
  selected: boolean;
  focused: boolean;
  onToggle: (id: string) => void;
  onFocus: () => void;
}) {
  const now = useNow();
  const painted = row !== undefined;
  useEffect(() => {
    if (painted) markListPainted();
  }, [painted]);
  const style = { transform: `translateY(${top}px)` };
  if (!row) {
    return <div className="row-line placeholder" style={style} aria-rowindex={index + 1} />;
  }
  const overdue = row.due_at_millis !== null && row.due_at_millis < now;
  return (
    <div
      className={`row-line${selected ? " selected" : ""}${focused ? " focused" : ""}`}
      style={style}
      role="row"
      aria-rowindex={index + 1}
      aria-selected={selected}
      data-testid="task-row"
      data-task-id={row.task_id}
      data-status={row.status}
      onClick={(e) => {
        onFocus();
        if (e.ctrlKey || e.metaKey || (e.target as HTMLElement).tagName === "INPUT") return;
        onToggle(row.task_id);
      }}
    >
      <input
        type="checkbox"
        checked={selected}
        onChange={() => onToggle(row.task_id)}
        aria-label={`Select ${row.task_id}`}
        data-testid="row-select"
      />
      <span className="task-id mono">{row.task_id}</span>
      <span className="ellipsis dataset">{datasetLabel}</span>
      <span className="stage">{row.stage_id}</span>
      <StatusPill status={row.status} />
      <span className={overdue ? "due overdue" : "due"}>{dueText(row.due_at_millis, now)}</span>
      <SyncBadge row={row} />
    </div>
  );
}
