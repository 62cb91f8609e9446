import { useQuery } from "@tanstack/react-query";
import type { DatasetInfo } from "./types";
import { api, asUserError, call } from "./api";
import { queryKeys } from "./queries/keys";

export function useDatasets(): { datasets: DatasetInfo[]; error: string | null; loading: boolean } {
  const q = useQuery({ queryKey: queryKeys.datasets(), queryFn: () => call(api.datasets()) });
  return { datasets: q.data ?? EMPTY, error: q.error ? asUserError(q.error).message : null, loading: q.isPending };
}

const EMPTY: DatasetInfo[] = [];

export function datasetName(d: DatasetInfo | undefined, id: string): string {
  return d?.dataset_name ?? id;
}
