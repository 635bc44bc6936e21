// Writes a tiny image dataset (text stands in for pixels), including one duplicate for `curate` to remove.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const dir = path.join(values.out, 'images');
fs.mkdirSync(dir, { recursive: true });
for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(dir, `img-${String(i).padStart(3, '0')}.txt`), `pixels of image ${i}\n`);
fs.writeFileSync(path.join(dir, 'dup-001.txt'), 'pixels of image 1\n');
fs.writeFileSync(path.join(values.out, 'labels.csv'), ['file,label', ...Array.from({ length: 8 }, (_, i) => `img-${String(i).padStart(3, '0')}.txt,${i % 2 ? 'dog' : 'cat'}`)].join('\n') + '\n');
