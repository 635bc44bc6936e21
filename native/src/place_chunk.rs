//! `placeChunk`: the twin of `placeChunk` in store/blobs/placing-jobs.ts, one stored chunk of a large file written at
//! its offset in an open file, only when it hashes to its digest: read into this thread's buffer and hashed a piece at
//! a time, then written from that same buffer. (Mapping the blob instead
//! of reading it was slower here: faulting in 1,024 pages per chunk cost more than the copy it saved.)
use crate::os::{c_path, open, read_at, write_all, OsFailure, HASH_READ};
use std::cell::RefCell;

#[napi_derive::napi(object)]
pub struct ChunkPlaced {
    /// False when the blob is missing, has another size or does not hash to its digest: nothing was written.
    pub placed: bool,
    pub failure: Option<OsFailure>,
}

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

#[napi_derive::napi(js_name = "placeChunk")]
pub fn place_chunk(blob_file: String, hex: String, size: f64, fd: i32, offset: f64) -> ChunkPlaced {
    match SCRATCH.with(|s| place(&blob_file, &hex, size as usize, fd, offset as i64, &mut s.borrow_mut())) {
        Ok(placed) => ChunkPlaced { placed, failure: None },
        Err(f) => ChunkPlaced { placed: false, failure: Some(f) },
    }
}

fn place(blob_file: &str, hex: &str, size: usize, fd: i32, offset: i64, buffer: &mut Vec<u8>) -> Result<bool, OsFailure> {
    let Some(blob) = open(&c_path(blob_file), libc::O_RDONLY, 0) else { return Ok(false) };
    if buffer.len() < size + 1 { buffer.resize(size + 1, 0); }
    // Hashed a piece at a time as it is read, while the piece is in the CPU's cache (HASH_READ in digest.ts); then one
    // byte past the end, so a longer blob does not match. A failed read or write names no path, as Node's do.
    let mut hasher = blake3::Hasher::new();
    let mut n = 0;
    while n < size {
        let end = (n + HASH_READ).min(size);
        let got = read_at(blob.0, &mut buffer[n..end], n)?;
        if got == 0 { break; }
        hasher.update(&buffer[n..n + got]);
        n += got;
    }
    if n == size && read_at(blob.0, &mut buffer[n..n + 1], n)? > 0 { n += 1; }
    drop(blob);
    if n != size || hasher.finalize().to_hex().as_str() != hex { return Ok(false); }
    write_all(fd, &buffer[..n], offset).map_err(|errno| OsFailure { errno, syscall: "write".into(), path: String::new() })?;
    Ok(true)
}
