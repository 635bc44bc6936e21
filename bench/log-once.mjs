// One measured log, in a process of its own so its peak RSS is ours alone. Prints one JSON line.
import { Artifact, init } from '../dist/index.js';

const [dir, name] = process.argv.slice(2);
const run = await init();
const started = process.hrtime.bigint();
const v = await run.logArtifact(new Artifact(name, 'dataset').addDir(dir));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
await run.finish();
console.log(JSON.stringify({ seconds, files: v.fileCount, bytes: v.size, written: v.stage.bytesWritten, maxRssKiB: process.resourceUsage().maxRSS }));
