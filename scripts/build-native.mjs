// Builds the store's native helper (native/, a Node-API addon in Rust: the per-file system calls of logging small
// files, and of downloads: a batched lstat, verified placing of blobs) with cargo and puts it at dist/native/artifacts-native.node, where store/blobs/native.ts looks.
// Part of `npm run build`. Without cargo, or when the build fails, it says so and the store takes its JavaScript
// road for the same work (slower, same results); ARTIFACTS_NATIVE=0 chooses that road even when the helper is built.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const crate = path.join(root, 'native');
const built = path.join(crate, 'target', 'release', 'libartifacts_native.so');
const target = path.join(root, 'dist', 'native', 'artifacts-native.node');
const say = (msg) => console.log(`[build-native] ${msg}`);

if (process.platform !== 'linux') {
  say(`no native helper on ${process.platform}: the store uses its JavaScript road`);
  process.exit(0);
}
// rustup puts cargo in ~/.cargo/bin, which a non-login shell's PATH may lack.
const rustupCargo = path.join(os.homedir(), '.cargo', 'bin', 'cargo');
const cargo = process.env.CARGO ?? (spawnSync('cargo', ['--version']).error && fs.existsSync(rustupCargo) ? rustupCargo : 'cargo');
const r = spawnSync(cargo, ['build', '--release', '--locked', '--quiet', '--manifest-path', path.join(crate, 'Cargo.toml')], { stdio: 'inherit' });
if (r.error || r.status !== 0) {
  const why = r.error ? `${cargo} could not be run (${r.error.code ?? r.error.message})` : `cargo build failed (exit ${r.status})`;
  say(`${why}: the native helper is not built, and the store uses its JavaScript road (slower, same results). Install Rust (https://rustup.rs) and run \`npm run build\` to build it.`);
  fs.rmSync(target, { force: true });
  process.exit(0);
}
fs.mkdirSync(path.dirname(target), { recursive: true });
// Copied to a temp name and renamed: a process that has the old one loaded keeps its (unlinked) file.
const tmp = `${target}.${process.pid}`;
fs.copyFileSync(built, tmp);
fs.renameSync(tmp, target);
say(`built ${path.relative(root, target)}`);
