import { expectTypeOf, test } from 'vitest';
import type { HostFolder as PublicHostFolder, outputsDir } from 'temporal-artifacts';
import type {
  aliasArtifact, CollaborativeOptions, finishArtifact, FinishSpec, HostFolder, logArtifact, LoggedWorkflowVersion, newDraft, onHost, SavedWorkflowDraft,
  upsertArtifact, useArtifact, WorkflowArtifactSpec, WorkflowDraft, WorkflowUpsert, WorkflowVersion,
} from 'temporal-artifacts/workflows';

// Types only: nothing here runs workflow code outside the sandbox.

test('the workflow-side calls take the client API\'s shapes and resolve to plain typed records', () => {
  expectTypeOf<typeof logArtifact>().parameters.toEqualTypeOf<[WorkflowArtifactSpec]>();
  expectTypeOf<typeof logArtifact>().returns.resolves.toEqualTypeOf<LoggedWorkflowVersion>();
  expectTypeOf<typeof useArtifact>().parameters.toEqualTypeOf<[string]>();
  expectTypeOf<typeof useArtifact>().returns.resolves.toEqualTypeOf<WorkflowVersion>();
  expectTypeOf<typeof upsertArtifact>().parameters.toEqualTypeOf<[WorkflowArtifactSpec, (CollaborativeOptions | undefined)?]>();
  expectTypeOf<typeof upsertArtifact>().returns.resolves.toEqualTypeOf<WorkflowUpsert>();
  expectTypeOf<typeof finishArtifact>().parameters.toEqualTypeOf<[FinishSpec, (CollaborativeOptions | undefined)?]>();
  expectTypeOf<typeof finishArtifact>().returns.resolves.toEqualTypeOf<LoggedWorkflowVersion>();
  expectTypeOf<typeof newDraft>().returns.resolves.toEqualTypeOf<WorkflowDraft>();
  expectTypeOf<WorkflowDraft['save']>().returns.resolves.toEqualTypeOf<SavedWorkflowDraft>();
  expectTypeOf<typeof aliasArtifact>().parameters.toEqualTypeOf<[string, string]>();
  expectTypeOf<typeof outputsDir>().returns.toEqualTypeOf<PublicHostFolder>();
  expectTypeOf<typeof onHost>().returns.toEqualTypeOf<HostFolder>();
});

test('results carry what a workflow branches on, and the inputs refuse what the calls cannot take', () => {
  expectTypeOf<LoggedWorkflowVersion>().toHaveProperty('created').toEqualTypeOf<boolean>();
  expectTypeOf<WorkflowVersion>().toHaveProperty('ref').toEqualTypeOf<string>();
  expectTypeOf<WorkflowVersion>().toHaveProperty('index').toEqualTypeOf<number>();
  expectTypeOf<SavedWorkflowDraft>().toHaveProperty('basedOn').toEqualTypeOf<string>();
  expectTypeOf<FinishSpec>().toHaveProperty('from').toEqualTypeOf<HostFolder | undefined>();
  // A spec needs the files' host: `from` is required, and a host folder needs its queue.
  // @ts-expect-error `from` is missing
  expectTypeOf<WorkflowArtifactSpec>().toEqualTypeOf<{ name: string; type: string }>();
  const noQueue = { dir: '/data' };
  // @ts-expect-error a HostFolder without hostQueue
  expectTypeOf(noQueue).toMatchTypeOf<HostFolder>();
});
