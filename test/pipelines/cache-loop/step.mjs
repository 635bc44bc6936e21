// One step of the cache-loop pipeline: records that it ran, fails when told to, writes out.json from its arguments
// and the content of an input file (the last argument, when it ends in .json).
import fs from 'node:fs';

const [step, out, ...args] = process.argv.slice(2);
const counter = process.env.STEP_COUNTER;
if (counter) fs.appendFileSync(counter, `${step}\n`);
if (counter && fs.existsSync(`${counter}.fail-${step}`)) {
  console.error(`${step} fails on purpose`);
  process.exit(4);
}
const input = args.at(-1)?.endsWith('.json') ? JSON.parse(fs.readFileSync(args.pop(), 'utf8')) : null;
fs.writeFileSync(`${out}/out.json`, JSON.stringify({ step, args, input }));
