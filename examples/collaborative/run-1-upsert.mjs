// Run 1 of the documented Collaborative Mode example: adds image1.png to the version the runs build together.
// Runs 1 and 2 may run at the same time, on different machines; run 3 commits.
import { init, Artifact } from 'temporal-artifacts';
import { distributedId, sampleImage } from './sample-image.mjs';

const run = await init();
try {
  const artifact = new Artifact('artifact_name', 'artifact_type');
  artifact.addFile(sampleImage('image1.png'));
  const upserted = await run.upsertArtifact(artifact, { distributedId });
  console.log(`run 1: ${upserted.status} ${upserted.files} file into ${upserted.draftId}`);
} finally {
  await run.finish();
}
