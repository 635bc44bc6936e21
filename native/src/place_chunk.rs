//! `placeChunk`: the twin of `placeChunk` in store/blobs/placing-jobs.ts, one stored chunk of a large file written at
//! its offset in an open file, checked against its digest: read, hashed and written a WRITE_PIECE at a time, so each
//! piece is written while it is still in the CPU's cache. The pieces are written before the whole chunk is known to
//! match: the caller writes into a temp file it drops unless every chunk matched (store/reading/chunked-placing.ts).
//! (Reading the whole chunk first and writing it after the check took about 10% longer for 2 GiB; mapping the blob
//! instead of reading it was slower still: faulting in 1,024 pages per chunk cost more than the copy it saved.)
use crate::os::{c_path, open, read_at, write_all, write_failure, OsFailure, WRITE_PIECE};
use std::cell::RefCell;

#[napi_derive::napi(object)]
pub struct ChunkPlaced {
    /// False when the blob is missing, has another size or does not hash to its digest: some of its bytes may have been
    /// written at the offset, and the file is not to be kept.
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

pub fn place(blob_file: &str, hex: &str, size: usize, fd: i32, offset: i64, buffer: &mut Vec<u8>) -> Result<bool, OsFailure> {
    let Some(blob) = open(&c_path(blob_file), libc::O_RDONLY, 0) else { return Ok(false) };
    if buffer.len() < WRITE_PIECE { buffer.resize(WRITE_PIECE, 0); }
    // Then one byte past the end, so a longer blob does not match. A failed read or write names no path, as Node's do.
    let mut hasher = blake3::Hasher::new();
    let mut n = 0;
    while n < size {
        let got = read_at(blob.0, &mut buffer[..WRITE_PIECE.min(size - n)], n)?;
        if got == 0 { return Ok(false); }
        hasher.update(&buffer[..got]);
        write_all(fd, &buffer[..got], offset + n as i64).map_err(write_failure)?;
        n += got;
    }
    if read_at(blob.0, &mut buffer[..1], n)? > 0 { return Ok(false); }
    Ok(hasher.finalize().to_hex().as_str() == hex)
}
