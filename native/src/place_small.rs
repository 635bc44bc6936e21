//! `placeSmall`: the twin of `placeSmall` in store/blobs/placing-jobs.ts, a batch of small files of one folder placed
//! from their blobs: each blob read with one call, checked against its BLAKE3 digest, and created under its name only
//! when nothing is there (or written under a temp name and renamed over an older version's file), its stamp handed
//! back for the stat cache.
use crate::os::{blake3_matches, c_path, device, failure, last_errno, open, read_full, statx, write_all, Fd, OsFailure};
use std::cell::RefCell;

#[napi_derive::napi(object)]
pub struct SmallFile {
    pub leaf: String,
    pub blob_file: String,
    /// The hex of the blob's `blake3:` digest.
    pub hex: String,
    pub size: f64,
    pub replace: Option<String>,
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

#[napi_derive::napi(js_name = "placeSmall")]
pub fn place_small(folder: String, files: Vec<SmallFile>) -> SmallPlaced {
    let mut stamps = Vec::with_capacity(files.len());
    for file in &files {
        match SCRATCH.with(|s| place_one(&folder, file, &mut s.borrow_mut())) {
            Ok(stamp) => stamps.push(stamp),
            Err(f) => return SmallPlaced { stamps, failure: Some(f) },
        }
    }
    SmallPlaced { stamps, failure: None }
}

fn place_one(folder: &str, file: &SmallFile, buffer: &mut Vec<u8>) -> Result<Option<String>, OsFailure> {
    let size = file.size as usize;
    let Some(blob) = open(&c_path(&file.blob_file), libc::O_RDONLY, 0) else { return Ok(None) };
    // One byte more than expected: a blob that is longer does not match.
    if buffer.len() < size + 1 { buffer.resize(size + 1, 0); }
    let n = read_full(blob.0, &mut buffer[..size + 1]).map_err(|errno| OsFailure { errno, syscall: "read".into(), path: String::new() })?;
    drop(blob);
    let bytes = &buffer[..n];
    if n != size || !blake3_matches(bytes, &file.hex) { return Ok(None); }
    let at = format!("{folder}/{}", file.leaf);
    let written = file.replace.as_ref().map_or_else(|| at.clone(), |r| format!("{folder}/{r}"));
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
