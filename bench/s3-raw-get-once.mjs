// The baseline for downloads from S3: every object under a prefix fetched with nothing but @aws-sdk/client-s3,
// as `aws s3 cp --recursive` does with its defaults (10 requests in flight), written to files. No hashing, no
// cache. Prints one JSON line. DIR `-` reads every object and keeps nothing (the read bench warms the server with it).
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const [url, dir] = process.argv.slice(2);
const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
const s3 = new S3Client({
  endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION, forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
});
const started = process.hrtime.bigint();
const keys = [];
let token;
do {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, ContinuationToken: token }));
  for (const o of page.Contents ?? []) keys.push(o.Key);
  token = page.IsTruncated ? page.NextContinuationToken : undefined;
} while (token);
let next = 0;
let bytes = 0;
const lane = async () => {
  for (let i = next++; i < keys.length; i = next++) {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys[i] }));
    if (dir === '-') {
      for await (const piece of got.Body) void piece; // read and dropped: only the server's page cache is the point
    } else {
      const file = path.join(dir, keys[i].slice(prefix.length + 1));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await pipeline(got.Body, fs.createWriteStream(file));
    }
    bytes += got.ContentLength ?? 0;
  }
};
await Promise.all(Array.from({ length: 10 }, lane));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
s3.destroy();
console.log(JSON.stringify({ seconds, files: keys.length, bytes }));
