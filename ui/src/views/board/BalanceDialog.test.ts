import { expect, it } from "vitest";
import { stageWorkers } from "./BalanceDialog";
import type { Column } from "../../model/board";

const col = (id: string, load: number) => ({ id, load }) as Column;

it("chooses the people who work in the stage, or everyone when nobody does yet", () => {
  const users = ["ana@x", "bo@x", "qa.lead@x"];
  expect(stageWorkers(users, [col("ana@x", 3), col("bo@x", 1), col("qa.lead@x", 0)])).toEqual(["ana@x", "bo@x"]);
  expect(stageWorkers(users, [col("ana@x", 0)])).toEqual(users);
});
