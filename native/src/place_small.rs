//! `placeSmall`: the twin of `placeSmall` in store/blobs/placing-jobs.ts, a batch of small files of one folder placed
//! from their blobs (or from bytes fetched from a remote store): each blob read with one call, checked against its BLAKE3 digest, and created under its name only
//! when nothing is there (or written under a temp name and renamed over an older version's file), its stamp handed
//! back for the stat cache. `placeSmallBatches` places many such batches (a folder each) on threads of its own, off
//! the JavaScript thread: the ingest pool's threads would first have to load their code (40-60 ms each), which was
//! most of a download that replaces a few hundred files.
use crate::os::{blake3_matches, c_path, device, failure, last_errno, open, read_full, statx, write_all, Fd, OsFailure};
use napi::bindgen_prelude::Buffer;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

#[napi_derive::napi(object)]
pub struct SmallFile {
    pub leaf: String,
    pub blob_file: String,
    /// The hex of the blob's `blake3:` digest.
    pub hex: String,
    pub size: f64,
    pub replace: Option<String>,
    /// The blob's bytes, fetched from a remote store, in place of `blob_file` (checked all the same).
    pub bytes: Option<Buffer>,
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
    blob_file: &'a str,
    hex: &'a str,
    size: usize,
    replace: Option<&'a str>,
    bytes: Option<&'a [u8]>,
}

fn views(files: &[SmallFile]) -> Vec<FileView<'_>> {
    files.iter().map(|f| FileView {
        leaf: &f.leaf, blob_file: &f.blob_file, hex: &f.hex, size: f.size as usize, replace: f.replace.as_deref(), bytes: f.bytes.as_deref(),
    }).collect()
}

#[napi_derive::napi(js_name = "placeSmall")]
pub fn place_small(folder: String, files: Vec<SmallFile>) -> SmallPlaced {
    place_batch(&folder, &views(&files))
}

fn place_batch(folder: &str, files: &[FileView]) -> SmallPlaced {
    let mut stamps = Vec::with_capacity(files.len());
    for file in files {
        match SCRATCH.with(|s| place_one(folder, file, &mut s.borrow_mut())) {
            Ok(stamp) => stamps.push(stamp),
            Err(f) => return SmallPlaced { stamps, failure: Some(f) },
        }
    }
    SmallPlaced { stamps, failure: None }
}

#[napi_derive::napi(object)]
pub struct SmallBatch {
    /// The folder's path, held open by the caller until the call ends.
    pub folder: String,
    pub files: Vec<SmallFile>,
}

pub struct PlaceSmallBatches {
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
        let batches: Vec<(&str, Vec<FileView>)> = self.batches.iter().map(|b| (b.folder.as_str(), views(&b.files))).collect();
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
pub fn place_small_batches(batches: Vec<SmallBatch>, threads: u32) -> napi::bindgen_prelude::AsyncTask<PlaceSmallBatches> {
    napi::bindgen_prelude::AsyncTask::new(PlaceSmallBatches { batches, threads: threads as usize })
}

fn place_one(folder: &str, file: &FileView, buffer: &mut Vec<u8>) -> Result<Option<String>, OsFailure> {
    let size = file.size;
    let bytes: &[u8] = match file.bytes {
        Some(fetched) => fetched,
        None => {
            let Some(blob) = open(&c_path(file.blob_file), libc::O_RDONLY, 0) else { return Ok(None) };
            // One byte more than expected: a blob that is longer does not match.
            if buffer.len() < size + 1 { buffer.resize(size + 1, 0); }
            let n = read_full(blob.0, &mut buffer[..size + 1]).map_err(|errno| OsFailure { errno, syscall: "read".into(), path: String::new() })?;
            &buffer[..n]
        }
    };
    if bytes.len() != size || !blake3_matches(bytes, file.hex) { return Ok(None); }
    let at = format!("{folder}/{}", file.leaf);
    let written = file.replace.map_or_else(|| at.clone(), |r| format!("{folder}/{r}"));
    let written_c = c_path(&written);
    let Some(out) = open(&written_c, libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW, 0o666) else {
        if last_errno() == libc::EEXIST { return Ok(None); }
        return Err(failure("open", &written));
    };
    let result = finish(&out, bytes, file.replace.is_some(), &written_c, &written, &at);
    if !matches!(result, Ok(Some(_))) { unsafe { libc::unlink(written_c.as_ptr()) }; }
    result
}

/// Writes the bytes, renames over `at` when replacing, and stamps the file (after the rename, which moves its ctime).
fn finish(out: &Fd, bytes: &[u8], replace: bool, written_c: &std::ffi::CString, written: &str, at: &str) -> Result<Option<String>, OsFailure> {
    write_all(out.0, bytes, -1).map_err(|errno| OsFailure { errno, syscall: "write".into(), path: String::new() })?;
    if replace && unsafe { libc::rename(written_c.as_ptr(), c_path(at).as_ptr()) } != 0 {
        let errno = last_errno();
        // rename replaces a link at the leaf itself, never what it points to; a folder there is left to the usual road.
        if errno == libc::EISDIR || errno == libc::ENOTEMPTY || errno == libc::EEXIST { return Ok(None); }
        return Err(OsFailure { errno, syscall: "rename".into(), path: written.to_string() });
    }
    let st = statx(out.0, &c_path(""), libc::AT_EMPTY_PATH).ok_or_else(|| failure("fstat", written))?;
    Ok(Some(format!("{} {} {} {} {}", st.stx_size, ns(st.stx_mtime), ns(st.stx_ctime), st.stx_ino, device(&st))))
}

fn ns(t: libc::statx_timestamp) -> i128 {
    i128::from(t.tv_sec) * 1_000_000_000 + i128::from(t.tv_nsec)
}
