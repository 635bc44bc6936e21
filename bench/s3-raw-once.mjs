// The baseline for `npm run bench:s3`: the same files uploaded with nothing but @aws-sdk/client-s3, the way
// `aws s3 cp --recursive` does with its defaults (10 requests in flight, 8 MiB multipart chunks): small files as
// PutObject, 10 at a time; large files as multipart uploads, 2 files at a time with 5 parts in flight each.
// No hashing, no dedup, no registry. Prints one JSON line.
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

const [dir, url] = process.argv.slice(2);
const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
const s3 = new S3Client({
  endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION, forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
});
const PART = 8 << 20;

async function putSmall(file, key) {
  const body = await fsp.readFile(file);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length }));
}

async function putLarge(file, key, size) {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const fh = await fsp.open(file, 'r');
  const parts = [];
  let next = 1;
  const count = Math.ceil(size / PART);
  const worker = async () => {
    const buffer = Buffer.allocUnsafe(PART);
    for (let n = next++; n <= count; n = next++) {
      const length = Math.min(PART, size - (n - 1) * PART);
      await fh.read(buffer, 0, length, (n - 1) * PART);
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: buffer.subarray(0, length), ContentLength: length }));
      parts.push({ PartNumber: n, ETag });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker(), worker()]);
  await fh.close();
  parts.sort((a, b) => a.PartNumber - b.PartNumber);
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
}

async function pool(items, width, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}

const files = fs.readdirSync(dir, { recursive: true }).map((f) => path.join(dir, String(f)))
  .map((file) => ({ file, size: fs.statSync(file).size, isFile: fs.statSync(file).isFile() })).filter((f) => f.isFile);
const started = process.hrtime.bigint();
const large = files.some((f) => f.size > PART);
await pool(files, large ? 2 : 10, (f) => {
  const key = `${prefix}/${path.relative(dir, f.file)}`;
  return f.size > PART ? putLarge(f.file, key, f.size) : putSmall(f.file, key);
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
s3.destroy();
console.log(JSON.stringify({ seconds, files: files.length, bytes: files.reduce((n, f) => n + f.size, 0), maxRssKiB: process.resourceUsage().maxRSS }));
