// One measured download, in a process of its own. Prints one JSON line: seconds and what the download did.
import { Api } from '../dist/index.js';

const [ref, dir] = process.argv.slice(2);
const api = new Api();
const v = await api.artifact(ref);
const started = process.hrtime.bigint();
const r = await v.download(dir);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
await api.close();
console.log(JSON.stringify({ seconds, files: r.files, bytes: r.bytes, fetched: r.fetched, fetchedBytes: r.fetchedBytes, skipped: r.skipped, hashed: r.hashed }));
