// Evaluates one shard: predicts every item whose index falls in this shard, and writes its predictions.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { shard: { type: 'string' }, of: { type: 'string' }, model: { type: 'string' }, 'delay-ms': { type: 'string' }, out: { type: 'string' } } });
await new Promise((resolve) => setTimeout(resolve, Number(values['delay-ms'] ?? 0)));
const shard = Number(values.shard);
const of = Number(values.of);
const lines = [];
for (let item = shard; item < 40; item += of) lines.push(JSON.stringify({ item, model: values.model, prediction: item % 3 === 0 ? 'cat' : 'dog' }));
fs.mkdirSync(values.out, { recursive: true });
fs.writeFileSync(path.join(values.out, `predictions-${String(shard).padStart(4, '0')}.jsonl`), lines.join('\n') + '\n');
