// Run 3 of the documented Collaborative Mode example: runs after runs 1 and 2, adds image3.png and commits the
// version. The finishing run may add files of its own, or none.
import { init, Artifact, Api } from 'temporal-artifacts';
import { distributedId, sampleImage } from './sample-image.mjs';

const run = await init();
try {
  const artifact = new Artifact('artifact_name', 'artifact_type');
  artifact.addFile(sampleImage('image3.png'));
  const version = await run.finishArtifact(artifact, { distributedId });
  console.log(`run 3: ${version.created ? 'committed' : 'already committed as'} ${version.ref}`);
  const api = new Api();
  for (const file of await (await api.artifact(version.ref)).files()) console.log(`  ${file.path}  ${file.size} B`);
  await api.close();
} finally {
  await run.finish();
}
