// "Trains" a model: counts labels in the dataset and writes the majority class as the model.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { data: { type: 'string' }, epochs: { type: 'string' }, out: { type: 'string' } } });
const rows = fs.readFileSync(path.join(values.data, 'labels.csv'), 'utf8').trim().split('\n').slice(1);
const counts = {};
for (const row of rows) counts[row.split(',')[1]] = (counts[row.split(',')[1]] ?? 0) + 1;
const majority = Object.entries(counts).sort((a, b) => b[1] - a[1])[0][0];
fs.writeFileSync(path.join(values.out, 'model.json'), JSON.stringify({ predict: majority, epochs: Number(values.epochs), trainedOn: rows.length }, null, 2));
