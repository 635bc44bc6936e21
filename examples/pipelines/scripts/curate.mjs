// Curates the dataset: two newly collected images and a corrected one; the duplicate is removed by the pipeline.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const dir = path.join(values.out, 'images');
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'img-100.txt'), 'pixels of new image 100\n');
fs.writeFileSync(path.join(dir, 'img-101.txt'), 'pixels of new image 101\n');
fs.writeFileSync(path.join(dir, 'img-003.txt'), 'pixels of image 3, re-annotated\n');
