/** Who made a version: recorded with it, shown by `artifacts lineage`. */
export interface Producer {
  readonly workflowId: string;
  readonly runId?: string;
  /** The user-level run (init()) that logged it, when there was one. */
  readonly run?: string;
  /** The user's own workflow that asked for it, when it came from `temporal-artifacts/workflows` inside one. */
  readonly caller?: WorkflowCaller;
}

/** A user's workflow execution that logged, upserted, finished, saved or used a version. */
export interface WorkflowCaller {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
}
