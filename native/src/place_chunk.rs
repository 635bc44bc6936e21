//! `placeChunk`: the twin of `placeChunk` in store/blobs/placing-jobs.ts, one stored chunk of a large file written at
//! its offset in an open file, only when it hashes to its digest. The blob is mapped rather than read, so its bytes
//! are hashed and written from the page cache without a copy into a buffer first; what is written is the very pages
//! that were hashed. Blobs are the store's own files, written once and never changed in place, so the mapping cannot
//! lose its pages to a truncation while it is read.
use crate::os::{blake3_matches, c_path, failure, open, statx, write_all, OsFailure};

#[napi_derive::napi(object)]
pub struct ChunkPlaced {
    /// False when the blob is missing, has another size or does not hash to its digest: nothing was written.
    pub placed: bool,
    pub failure: Option<OsFailure>,
}

#[napi_derive::napi(js_name = "placeChunk")]
pub fn place_chunk(blob_file: String, hex: String, size: f64, fd: i32, offset: f64) -> ChunkPlaced {
    match place(&blob_file, &hex, size as usize, fd, offset as i64) {
        Ok(placed) => ChunkPlaced { placed, failure: None },
        Err(f) => ChunkPlaced { placed: false, failure: Some(f) },
    }
}

fn place(blob_file: &str, hex: &str, size: usize, fd: i32, offset: i64) -> Result<bool, OsFailure> {
    let Some(blob) = open(&c_path(blob_file), libc::O_RDONLY, 0) else { return Ok(false) };
    let st = statx(blob.0, &c_path(""), libc::AT_EMPTY_PATH).ok_or_else(|| failure("fstat", blob_file))?;
    if st.stx_size as usize != size { return Ok(false); }
    if size == 0 { return Ok(blake3_matches(&[], hex)); }
    let map = Mapping::of(blob.0, size).ok_or_else(|| failure("mmap", blob_file))?;
    if !blake3_matches(map.bytes(), hex) { return Ok(false); }
    // A failed write names no path, as Node's does: the descriptor is the target's, not the blob's.
    write_all(fd, map.bytes(), offset).map_err(|errno| OsFailure { errno, syscall: "write".into(), path: String::new() })?;
    Ok(true)
}

/// A read-only mapping of a file's first `len` bytes, faulted in at once, unmapped when dropped.
struct Mapping {
    at: *mut libc::c_void,
    len: usize,
}

impl Mapping {
    fn of(fd: i32, len: usize) -> Option<Mapping> {
        let at = unsafe { libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_SHARED | libc::MAP_POPULATE, fd, 0) };
        if at == libc::MAP_FAILED { None } else { Some(Mapping { at, len }) }
    }

    fn bytes(&self) -> &[u8] {
        unsafe { std::slice::from_raw_parts(self.at as *const u8, self.len) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        unsafe { libc::munmap(self.at, self.len) };
    }
}
