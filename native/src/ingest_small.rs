//! `ingestSmall`: the twin of `runSmallBatch` in store/blobs/hash-copy-worker.ts, a batch of small files logged into
//! the local store: each read once as one consistent snapshot (the file looks the same after the read as before it,
//! and reads the same twice when a write could hide from its times), hashed (BLAKE3), and, unless the store holds a
//! blob of that size already, written to a temp file (or hard-linked, if asked and still the same file) renamed to
//! its blob.
use crate::blob_file::{blob_path, reusable_blob};
use crate::os::{c_path, close_checked, last_errno, open, write_all, OsFailure};
use crate::source::{changed, may_hide_change, now_ns, ns, same_source, source_of, Source};
use std::cell::RefCell;
use std::ffi::CString;

#[napi_derive::napi(object)]
pub struct SmallIngested {
    pub hex: String,
    pub size: f64,
    /// True when this call stored the blob (false: it was there already).
    pub wrote: bool,
}

#[napi_derive::napi(object)]
pub struct SmallBatchDone {
    pub results: Vec<SmallIngested>,
    /// The file the batch stopped at, and why: a failed call, or (errno 0) the file changed while it was read.
    pub failure: Option<OsFailure>,
    pub failed_file: Option<String>,
}

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0; 1 << 20]);
}

/// `temp` is a fresh owned temp name (store/owned-temps.ts) for this batch; each file's temp adds `-<index>` to it.
#[napi_derive::napi(js_name = "ingestSmall")]
pub fn ingest_small(blob_root: String, tmp_dir: String, temp: String, files: Vec<String>, hard_link: bool) -> SmallBatchDone {
    let mut results = Vec::with_capacity(files.len());
    for (i, file) in files.iter().enumerate() {
        let tmp = format!("{tmp_dir}/{temp}-{i}");
        match SCRATCH.with(|s| ingest_one(&blob_root, &tmp, file, hard_link, &mut s.borrow_mut())) {
            Ok(r) => results.push(r),
            Err(f) => return SmallBatchDone { results, failure: Some(f), failed_file: Some(file.clone()) },
        }
    }
    SmallBatchDone { results, failure: None, failed_file: None }
}

fn io(errno: i32, syscall: &str, path: &str) -> OsFailure {
    OsFailure { errno, syscall: syscall.to_string(), path: path.to_string() }
}

/// readFrom: reads from the start, expecting `size` bytes (growing the buffer if the file grew); the bytes read.
fn read_from(fd: i32, size: usize, buffer: &mut Vec<u8>) -> Result<usize, OsFailure> {
    let mut n = 0;
    loop {
        if n == buffer.len() { buffer.resize(buffer.len() + buffer.len().max(1 << 16), 0); }
        let got = unsafe { libc::pread(fd, buffer[n..].as_mut_ptr().cast(), buffer.len() - n, n as libc::off_t) };
        if got < 0 {
            if last_errno() == libc::EINTR { continue; }
            return Err(crate::os::failure("read", ""));
        }
        n += got as usize;
        if got == 0 || n == size { return Ok(n); }
    }
}

fn ingest_one(blob_root: &str, tmp: &str, file: &str, hard_link: bool, buffer: &mut Vec<u8>) -> Result<SmallIngested, OsFailure> {
    let src = open(&c_path(file), libc::O_RDONLY, 0).ok_or_else(|| crate::os::failure("open", file))?;
    let before = source_of(src.0)?;
    let seen = now_ns();
    if buffer.len() < before.size as usize { buffer.resize(before.size as usize, 0); }
    let n = read_from(src.0, before.size as usize, buffer)?;
    if !same_source(&before, &source_of(src.0)?) || n as u64 != before.size { return Err(changed(file)); }
    if may_hide_change(&before, seen) {
        let mut again = vec![0u8; n];
        let m = read_from(src.0, n, &mut again)?;
        if again[..m] != buffer[..n] { return Err(changed(file)); }
    }
    drop(src);
    let bytes = &buffer[..n];
    let hex = blake3::hash(bytes).to_hex().to_string();
    let final_path = blob_path(blob_root, &hex);
    let final_c = c_path(&final_path);
    if reusable_blob(&final_c, n) { return Ok(SmallIngested { hex, size: n as f64, wrote: false }); }
    let tmp_c = c_path(tmp);
    let stored = (|| {
        if !(hard_link && link_if_unchanged(&c_path(file), &tmp_c, &before)) {
            let out = open(&tmp_c, libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC, 0o666).ok_or_else(|| crate::os::failure("open", tmp))?;
            write_all(out.0, bytes, -1).map_err(|errno| io(errno, "write", ""))?;
            close_checked(out, tmp)?;
        }
        if unsafe { libc::rename(tmp_c.as_ptr(), final_c.as_ptr()) } != 0 { return Err(crate::os::failure("rename", tmp)); }
        Ok(())
    })();
    if let Err(f) = stored {
        unsafe { libc::unlink(tmp_c.as_ptr()) };
        return Err(f);
    }
    Ok(SmallIngested { hex, size: n as f64, wrote: true })
}

/// linkIfUnchanged: hard-links the source at the temp path when it is still the file `before` described.
fn link_if_unchanged(source: &CString, target: &CString, before: &Source) -> bool {
    if unsafe { libc::link(source.as_ptr(), target.as_ptr()) } != 0 { return false; }
    // Linking moves the ctime; the content times and identity must not have moved. The link is removed otherwise,
    // so the copy written instead never goes through it into the source.
    let after = crate::os::statx(libc::AT_FDCWD, target, 0);
    if after.is_some_and(|a| a.stx_ino == before.ino && a.stx_size == before.size && ns(a.stx_mtime) == before.mtime_ns) { return true; }
    unsafe { libc::unlink(target.as_ptr()) };
    false
}
