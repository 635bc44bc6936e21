// One shard of the cache-shards pipeline: records that it ran, fails when told to, writes <item>.txt.
import fs from 'node:fs';

const [item, out] = process.argv.slice(2);
const counter = process.env.STEP_COUNTER;
if (counter) fs.appendFileSync(counter, `label-${item}\n`);
if (counter && fs.existsSync(`${counter}.fail-${item}`)) {
  console.error(`shard ${item} fails on purpose`);
  process.exit(5);
}
fs.writeFileSync(`${out}/${item}.txt`, `a ${item}`);
