import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { TaskQuery, TaskRow } from "../types";
import { createQueryClient } from "./client";
import { queryKeys, type TaskListQuery } from "./keys";
import { invalidateViews } from "./invalidate";
import { usePagedTasks } from "./usePagedTasks";

/** The shell's task view: `total` tasks named `${prefix}${index}`; answers when released. */
const shell = vi.hoisted(() => ({
  total: 250,
  prefix: "t",
  held: false,
  waiting: [] as (() => void)[],
  asked: [] as number[],
}));

vi.mock("../bindings", () => ({
  commands: {
    tasks: (q: TaskQuery) => {
      shell.asked.push(q.offset);
      const rows = [];
      for (let i = q.offset; i < Math.min(shell.total, q.offset + q.limit); i++) {
        rows.push({ task_id: `${shell.prefix}${i}` } as TaskRow);
      }
      const answer = { status: "ok", data: { rows, total: shell.total } };
      if (!shell.held) return Promise.resolve(answer);
      return new Promise((resolve) => shell.waiting.push(() => resolve(answer)));
    },
  },
}));

const query: TaskListQuery = {
  task_ids: [],
  dataset_id: "ds1",
  stage_id: null,
  statuses: [],
  assignee: { kind: "is", email: "ana@x" },
  delayed_only: false,
  text: null,
  sort: "due",
};

function setup() {
  const client = createQueryClient();
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>{children}</QueryClientProvider>
  );
  const hook = renderHook(({ q }) => usePagedTasks(q), { wrapper, initialProps: { q: query } });
  return { client, hook };
}

afterEach(() => {
  cleanup();
  Object.assign(shell, { total: 250, prefix: "t", held: false, waiting: [], asked: [] });
});

describe("usePagedTasks", () => {
  it("fetches the pages of the rows on screen, with a page of margin", async () => {
    const { hook } = setup();
    await waitFor(() => expect(hook.result.current.total).toBe(250));
    expect(hook.result.current.rowAt(0)?.task_id).toBe("t0");
    expect(hook.result.current.rowAt(150)?.task_id).toBe("t150");
    expect(hook.result.current.rowAt(249)).toBeUndefined();
    act(() => hook.result.current.show(150, 160));
    await waitFor(() => expect(hook.result.current.rowAt(249)?.task_id).toBe("t249"));
    expect([...new Set(shell.asked)].sort((a, b) => a - b)).toEqual([0, 100, 200]);
    expect(hook.result.current.loadedIds()).toHaveLength(250);
  });

  it("keeps the rows shown while a fresh copy loads, then shows it", async () => {
    const { client, hook } = setup();
    await waitFor(() => expect(hook.result.current.rowAt(5)?.task_id).toBe("t5"));
    Object.assign(shell, { held: true, prefix: "new" });
    // Not awaited: the refetch waits for the shell's answer, released below.
    act(() => void invalidateViews(client, [{ view: "tasks", dataset_id: "ds1", assignees: null, statuses: true }]));
    await waitFor(() => expect(shell.waiting.length).toBeGreaterThan(0));
    expect(hook.result.current.rowAt(5)?.task_id).toBe("t5");
    expect(hook.result.current.total).toBe(250);
    act(() => shell.waiting.forEach((release) => release()));
    await waitFor(() => expect(hook.result.current.rowAt(5)?.task_id).toBe("new5"));
  });

  it("drops rows past the end of a list that shrank", async () => {
    const { client, hook } = setup();
    act(() => hook.result.current.show(150, 160));
    await waitFor(() => expect(hook.result.current.rowAt(240)?.task_id).toBe("t240"));
    shell.total = 120;
    await act(() => client.invalidateQueries({ queryKey: queryKeys.tasks(query) }));
    await waitFor(() => expect(hook.result.current.total).toBe(120));
    expect(hook.result.current.rowAt(240)).toBeUndefined();
    expect(hook.result.current.rowAt(110)?.task_id).toBe("t110");
    expect(hook.result.current.loadedIds()).toHaveLength(120);
  });

  it("starts over for other filters", async () => {
    const { hook } = setup();
    await waitFor(() => expect(hook.result.current.total).toBe(250));
    shell.held = true;
    hook.rerender({ q: { ...query, text: "t1" } });
    expect(hook.result.current.total).toBeNull();
    expect(hook.result.current.rowAt(0)).toBeUndefined();
    act(() => shell.waiting.forEach((release) => release()));
    await waitFor(() => expect(hook.result.current.total).toBe(250));
  });

  it("stays one object while its pages do not change, so memoized rows are not rendered again", async () => {
    const { hook } = setup();
    await waitFor(() => expect(hook.result.current.rowAt(150)?.task_id).toBe("t150"));
    const before = hook.result.current;
    hook.rerender({ q: { ...query } });
    act(() => before.show(3, 20)); // rows of pages already loaded
    expect(hook.result.current).toBe(before);
    act(() => hook.result.current.show(150, 160));
    await waitFor(() => expect(hook.result.current.rowAt(249)?.task_id).toBe("t249"));
    expect(hook.result.current).not.toBe(before);
    expect(hook.result.current.rowAt(5)).toBe(before.rowAt(5));
  });
});
