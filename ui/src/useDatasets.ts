import type { DatasetInfo } from "./types";
import { api, call, useLoad } from "./api";

export function useDatasets(version: number): { datasets: DatasetInfo[]; error: string | null; loading: boolean } {
  const { data, error, loading } = useLoad(() => call(api.datasets()), "datasets", version);
  return { datasets: data ?? [], error: error?.message ?? null, loading };
}

export function datasetName(d: DatasetInfo | undefined, id: string): string {
  return d?.dataset_name ?? id;
}
