// Short names for the generated types: what commands return (`_Serialize`) and what
// they take (`_Deserialize`, optional fields may be left out). Nothing is redefined here.
export type {
  ActionKind,
  AssigneeFilter,
  Connectivity,
  CountBy,
  Count_Serialize as Count,
  DatasetInfo_Serialize as DatasetInfo,
  ErrorKind,
  Op_Serialize as Op,
  OpKind,
  OpState,
  Resolution,
  SessionInfo_Serialize as SessionInfo,
  Share,
  ShellError,
  SortKey,
  SyncStatus_Serialize as SyncStatus,
  TaskPage_Serialize as TaskPage,
  TaskQuery_Deserialize as TaskQuery,
  TaskRow_Serialize as TaskRow,
} from "./bindings";
