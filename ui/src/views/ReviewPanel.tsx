// The review panel of Overview: per person, how their work fared in review over a chosen
// period — from what this device observed, and said so.
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { DatasetInfo, ReviewQuery } from "../types";
import { api, asUserError, call } from "../api";
import { queryKeys } from "../queries/keys";
import { medianWords, PERIODS, rateWords } from "../model/activity";
import { displayName } from "../model/board";
import { ExportButton } from "../components/ExportButton";
import { DatasetSelect } from "../components/DatasetSelect";

const DAY = 24 * 3600 * 1000;

export function ReviewPanel({ datasets }: { datasets: DatasetInfo[] }) {
  const [days, setDays] = useState<number>(7);
  const [dataset, setDataset] = useState("");
  // The period ends at the start of the next minute, so the key stays put while shown.
  const [to] = useState(() => Math.ceil(Date.now() / 60_000) * 60_000);
  const query: ReviewQuery = { from: to - days * DAY, to, person: null, dataset_id: dataset || null };
  const q = useQuery({ queryKey: queryKeys.review(query), queryFn: () => call(api.review(query)) });
  return (
    <section className="card review-panel" aria-labelledby="review-title" data-testid="review-panel">
      <header className="card-head">
        <h2 id="review-title">Review, per person</h2>
        <label>
          Period{" "}
          <select value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="review-period">
            {PERIODS.map((d) => (
              <option key={d} value={d}>
                Last {d} days
              </option>
            ))}
          </select>
        </label>
        <label>
          Dataset{" "}
          <DatasetSelect datasets={datasets} value={dataset || null} onChange={(id) => setDataset(id ?? "")} allowAll />
        </label>
        <ExportButton what={{ what: "review", query }} />
      </header>
      <p className="muted small-text" data-testid="review-caveat">
        From what this device observed in its syncs: a review whose submission it did not see has no waiting time, times
        are when this device first saw each change, and changes made and undone between two syncs are not counted.
      </p>
      {q.error && <p role="alert">{asUserError(q.error).message}</p>}
      {q.data && q.data.length === 0 && <p>No submission or review seen in this period.</p>}
      {q.data && q.data.length > 0 && (
        <table className="data" data-testid="review-table">
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col" className="num">
                Submitted
              </th>
              <th scope="col" className="num">
                Accepted
              </th>
              <th scope="col" className="num">
                Rejected
              </th>
              <th scope="col" className="num">
                Reject rate
              </th>
              <th scope="col" className="num">
                Median wait for review
              </th>
              <th scope="col" className="num">
                Median time rejected
              </th>
            </tr>
          </thead>
          <tbody>
            {q.data.map((r) => (
              <tr key={r.person} data-testid="review-row">
                <th scope="row" title={r.person}>
                  {displayName(r.person)}
                </th>
                <td className="num">{r.submitted}</td>
                <td className="num">{r.accepted}</td>
                <td className="num">{r.rejected}</td>
                <td className="num">{rateWords(r.reject_rate)}</td>
                <td className="num">{medianWords(r.median_review_ms)}</td>
                <td className="num">{medianWords(r.median_rejected_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
