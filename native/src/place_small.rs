//! `placeSmall`: the twin of `placeSmall` in store/blobs/placing-jobs.ts, a batch of small files of one folder placed
//! from their blobs (or from bytes fetched from a remote store): each blob read with one call, checked against its BLAKE3 digest, and created under its name only
//! when nothing is there (or written under a temp name and renamed over an older version's file), its stamp handed
//! back for the stat cache. `placeSmallBatches` places many such batches (a folder each) on threads of its own, off
//! the JavaScript thread: the ingest pool's threads would first have to load their code (40-60 ms each), which was
//! most of a download that replaces a few hundred files. A batch comes packed (see SmallBatch), each blob found under
//! the store's root by its digest, and the folder's files are opened relative to its held descriptor (HeldFolder).
use crate::os::{blake3_matches, c_path, device, failure, last_errno, open, open_at, read_enough, statx, write_all, Fd, HeldFolder, OsFailure};
use crate::blob_file::blob_path;
use napi::bindgen_prelude::{Buffer, Float64Array};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// A batch of small files of one folder, packed so that handing it over costs a few values, not an object per file.
#[napi_derive::napi(object)]
pub struct SmallBatch {
    /// The folder's path, held open by the caller until the call ends (`/proc/self/fd/N`: reached by descriptor N).
    pub folder: String,
    /// The files' leaf names, each followed by a NUL.
    pub leaves: String,
    /// The hex of each file's `blake3:` digest, 64 characters each, in the same order.
    pub hexes: String,
    pub sizes: Float64Array,
    /// Per file, the temp name it is written under and renamed over its leaf from (an older version's file is there),
    /// or nothing (nothing may be there), each followed by a NUL; empty when no file of the batch replaces one.
    pub replaces: String,
    /// Per file, its bytes fetched from a remote store (checked all the same); empty when each is read from its blob
    /// under the call's blob root.
    pub bytes: Vec<Buffer>,
}

#[napi_derive::napi(object)]
pub struct SmallPlaced {
    /// Per file, in order, up to the failure if any: its stamp (`size mtimeNs ctimeNs ino dev`), or null when it was
    /// not placed (something is there, a folder is where a file to replace was, the blob is missing or does not match).
    pub stamps: Vec<Option<String>>,
    pub failure: Option<OsFailure>,
}

thread_local! {
    /// One buffer per thread, reused: each blob is hashed and written before the next is read.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A file of a batch as the threads share it: borrowed from the call's arguments (a JavaScript buffer may be sent to
/// another thread, not shared by several; its bytes may).
struct FileView<'a> {
    leaf: &'a str,
    blob_file: String,
    hex: &'a str,
    size: usize,
    replace: Option<&'a str>,
    bytes: Option<&'a [u8]>,
}

/// The files of a packed batch, or a failure naming the folder when its parts do not add up or a leaf is not one name
/// (a caller's bug: nothing of the batch is placed). Without a blob root, a file whose bytes are not given is not placed.
fn views<'a>(blob_root: &str, batch: &'a SmallBatch) -> Result<Vec<FileView<'a>>, OsFailure> {
    let n = batch.sizes.len();
    let leaves: Vec<&str> = batch.leaves.split_terminator('\0').collect();
    let replaces: Vec<&str> = batch.replaces.split_terminator('\0').collect();
    let one_name = |leaf: &&str| !leaf.is_empty() && *leaf != "." && *leaf != ".." && !leaf.contains('/');
    let fits = leaves.len() == n && leaves.iter().all(one_name) && replaces.iter().all(|r| r.is_empty() || one_name(r))
        && batch.hexes.len() == 64 * n && batch.hexes.is_ascii()
        && (batch.replaces.is_empty() || replaces.len() == n) && (batch.bytes.is_empty() || batch.bytes.len() == n);
    if !fits { return Err(OsFailure { errno: libc::EINVAL, syscall: "placeSmall".into(), path: batch.folder.clone() }); }
    Ok((0..n).map(|i| {
        let hex = &batch.hexes[64 * i..64 * (i + 1)];
        let bytes = batch.bytes.get(i).map(|b| &b[..]);
        FileView {
            leaf: leaves[i],
            blob_file: if bytes.is_none() && !blob_root.is_empty() { blob_path(blob_root, hex) } else { String::new() },
            hex,
            size: batch.sizes[i] as usize,
            replace: replaces.get(i).copied().filter(|r| !r.is_empty()),
            bytes,
        }
    }).collect())
}

/// A batch placed on this thread.
#[napi_derive::napi(js_name = "placeSmall")]
pub fn place_small(blob_root: String, batch: SmallBatch) -> SmallPlaced {
    match views(&blob_root, &batch) {
        Ok(files) => place_batch(&batch.folder, &files),
        Err(failure) => SmallPlaced { stamps: Vec::new(), failure: Some(failure) },
    }
}

fn place_batch(folder: &str, files: &[FileView]) -> SmallPlaced {
    let folder = HeldFolder::new(folder);
    let mut stamps = Vec::with_capacity(files.len());
    for file in files {
        match SCRATCH.with(|s| place_one(&folder, file, &mut s.borrow_mut())) {
            Ok(stamp) => stamps.push(stamp),
            Err(f) => return SmallPlaced { stamps, failure: Some(f) },
        }
    }
    SmallPlaced { stamps, failure: None }
}

pub struct PlaceSmallBatches {
    blob_root: String,
    batches: Vec<SmallBatch>,
    threads: usize,
}

impl napi::Task for PlaceSmallBatches {
    type Output = Vec<SmallPlaced>;
    type JsValue = Vec<SmallPlaced>;

    /// Each thread takes the next batch until none is left; after a failure no batch starts, and those not started
    /// come back with no stamp and no failure (the caller fails the download on the one failure).
    fn compute(&mut self) -> napi::Result<Vec<SmallPlaced>> {
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let mut batches = Vec::with_capacity(self.batches.len());
        for b in &self.batches {
            match views(&self.blob_root, b) {
                Ok(files) => batches.push((b.folder.as_str(), files)),
                Err(failure) => return Ok(vec![SmallPlaced { stamps: Vec::new(), failure: Some(failure) }]),
            }
        }
        let batches = &batches;
        let done: Vec<Mutex<Option<SmallPlaced>>> = batches.iter().map(|_| Mutex::new(None)).collect();
        std::thread::scope(|scope| {
            for _ in 0..self.threads.clamp(1, batches.len().max(1)) {
                scope.spawn(|| {
                    while !stop.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(b) = batches.get(i) else { break };
                        let placed = place_batch(b.0, &b.1);
                        if placed.failure.is_some() { stop.store(true, Ordering::Relaxed); }
                        *done[i].lock().unwrap() = Some(placed);
                    }
                });
            }
        });
        Ok(done.into_iter().map(|d| d.into_inner().unwrap().unwrap_or(SmallPlaced { stamps: Vec::new(), failure: None })).collect())
    }

    fn resolve(&mut self, _env: napi::Env, output: Vec<SmallPlaced>) -> napi::Result<Vec<SmallPlaced>> {
        Ok(output)
    }
}

#[napi_derive::napi(js_name = "placeSmallBatches")]
pub fn place_small_batches(blob_root: String, batches: Vec<SmallBatch>, threads: u32) -> napi::bindgen_prelude::AsyncTask<PlaceSmallBatches> {
    napi::bindgen_prelude::AsyncTask::new(PlaceSmallBatches { blob_root, batches, threads: threads as usize })
}

fn place_one(folder: &HeldFolder, file: &FileView, buffer: &mut Vec<u8>) -> Result<Option<String>, OsFailure> {
    let size = file.size;
    let bytes: &[u8] = match file.bytes {
        Some(fetched) => fetched,
        None => {
            let Some(blob) = open(&c_path(&file.blob_file), libc::O_RDONLY, 0) else { return Ok(None) };
            // One byte more than expected: a blob that is longer does not match.
            if buffer.len() < size + 1 { buffer.resize(size + 1, 0); }
            let n = read_enough(blob.0, &mut buffer[..size + 1], size).map_err(|errno| OsFailure { errno, syscall: "read".into(), path: String::new() })?;
            &buffer[..n]
        }
    };
    if bytes.len() != size || !blake3_matches(bytes, file.hex) { return Ok(None); }
    let written_leaf = file.replace.unwrap_or(file.leaf);
    let written_c = folder.name_of(written_leaf);
    let Some(out) = open_at(folder.fd, &written_c, libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW, 0o666) else {
        if last_errno() == libc::EEXIST { return Ok(None); }
        return Err(failure("open", &folder.path_of(written_leaf)));
    };
    let result = finish(folder, &out, bytes, file, &written_c);
    if !matches!(result, Ok(Some(_))) { unsafe { libc::unlinkat(folder.fd, written_c.as_ptr(), 0) }; }
    result
}

/// Writes the bytes, renames over the leaf when replacing, and stamps the file (after the rename, which moves its ctime).
fn finish(folder: &HeldFolder, out: &Fd, bytes: &[u8], file: &FileView, written_c: &std::ffi::CString) -> Result<Option<String>, OsFailure> {
    write_all(out.0, bytes, -1).map_err(|errno| OsFailure { errno, syscall: "write".into(), path: String::new() })?;
    if file.replace.is_some() && unsafe { libc::renameat(folder.fd, written_c.as_ptr(), folder.fd, folder.name_of(file.leaf).as_ptr()) } != 0 {
        let errno = last_errno();
        // rename replaces a link at the leaf itself, never what it points to; a folder there is left to the usual road.
        if errno == libc::EISDIR || errno == libc::ENOTEMPTY || errno == libc::EEXIST { return Ok(None); }
        return Err(OsFailure { errno, syscall: "rename".into(), path: folder.path_of(file.replace.unwrap_or(file.leaf)) });
    }
    let st = statx(out.0, &c_path(""), libc::AT_EMPTY_PATH).ok_or_else(|| failure("fstat", &folder.path_of(file.leaf)))?;
    Ok(Some(format!("{} {} {} {} {}", st.stx_size, ns(st.stx_mtime), ns(st.stx_ctime), st.stx_ino, device(&st))))
}

fn ns(t: libc::statx_timestamp) -> i128 {
    i128::from(t.tv_sec) * 1_000_000_000 + i128::from(t.tv_nsec)
}
