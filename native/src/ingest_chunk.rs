//! `ingestChunk`: the twin of `runChunkJob` in store/blobs/chunk-job.ts for a chunk of a large file logged into the
//! local store. The chunk is read and hashed a piece at a time; unless the store holds a blob of that size already,
//! the kernel copies it from the source into a temp file (copy_file_range: no second trip through memory we touch),
//! renamed to its blob. The copy is only trusted when the source still looks as it did before the hashing began
//! (and, when a write could hide from the file's times, when the copy hashes the same): a blob's bytes always match
//! its name. A chunk with all-zero blocks is written from its reads instead, leaving those blocks as holes.
use crate::blob_file::{blob_path, reusable_blob};
use crate::os::{c_path, close_checked, failure, open, read_at, write_all, write_failure, Fd, OsFailure, HASH_READ};
use crate::source::{changed, may_hide_change, now_ns, same_source, source_of, Source};
use std::cell::RefCell;

#[napi_derive::napi(object)]
pub struct ChunkIngested {
    pub hex: String,
    /// True when this call stored the blob (false: the store held it already).
    pub wrote: bool,
    /// Why it failed: a failed call, or (errno 0) the source changed (or ended early) while it was read.
    pub failure: Option<OsFailure>,
}

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0; HASH_READ]);
}

/// Holes are kept at this granularity (HOLE_BLOCK in store/blobs/sparse-write.ts).
const HOLE_BLOCK: usize = 64 << 10;

#[napi_derive::napi(js_name = "ingestChunk")]
pub fn ingest_chunk(blob_root: String, tmp: String, source: String, offset: f64, length: f64) -> ChunkIngested {
    let (offset, length) = (offset as usize, length as usize);
    match SCRATCH.with(|s| ingest(&blob_root, &tmp, &source, offset, length, &mut s.borrow_mut())) {
        Ok((hex, wrote)) => ChunkIngested { hex, wrote, failure: None },
        Err(f) => ChunkIngested { hex: String::new(), wrote: false, failure: Some(f) },
    }
}

fn ingest(blob_root: &str, tmp: &str, source: &str, offset: usize, length: usize, buffer: &mut [u8]) -> Result<(String, bool), OsFailure> {
    let src = open(&c_path(source), libc::O_RDONLY, 0).ok_or_else(|| failure("open", source))?;
    let before = source_of(src.0)?;
    let seen = now_ns();
    let (hex, holes) = hash_range(src.0, offset, length, buffer, source)?;
    let final_c = c_path(&blob_path(blob_root, &hex));
    if reusable_blob(&final_c, length) { return Ok((hex, false)); }
    let tmp_c = c_path(tmp);
    let stored = (|| {
        let out = open(&tmp_c, libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC, 0o666).ok_or_else(|| failure("open", tmp))?;
        if holes { write_data_blocks(src.0, out.0, offset, length, buffer, source)? } else { kernel_copy(src.0, out.0, offset, length, buffer, source)? }
        close_checked(out, tmp)?;
        if !copy_is_snapshot(src.0, &before, seen, tmp, length, &hex, buffer)? { return Err(changed(source)); }
        if unsafe { libc::rename(tmp_c.as_ptr(), final_c.as_ptr()) } != 0 { return Err(failure("rename", tmp)); }
        Ok(())
    })();
    if let Err(f) = stored {
        unsafe { libc::unlink(tmp_c.as_ptr()) };
        return Err(f);
    }
    Ok((hex, true))
}

/// Reads exactly `into.len()` bytes at `at`; a file that ends sooner changed while it was read.
fn read_exact_at(fd: i32, into: &mut [u8], at: usize, source: &str) -> Result<(), OsFailure> {
    let mut got = 0;
    while got < into.len() {
        let n = read_at(fd, &mut into[got..], at + got)?;
        if n == 0 { return Err(changed(source)); }
        got += n;
    }
    Ok(())
}

/// Reads bytes [offset, offset + length) of `fd` a HASH_READ piece at a time into `buffer`, handing each piece and
/// its position in the range to `each`.
fn each_piece(fd: i32, offset: usize, length: usize, buffer: &mut [u8], source: &str, mut each: impl FnMut(usize, &[u8]) -> Result<(), OsFailure>) -> Result<(), OsFailure> {
    for pos in (0..length).step_by(HASH_READ) {
        let piece = &mut buffer[..HASH_READ.min(length - pos)];
        read_exact_at(fd, piece, offset + pos, source)?;
        each(pos, piece)?;
    }
    Ok(())
}

/// The BLAKE3 hex of bytes [offset, offset + length) of `fd`, and whether any HOLE_BLOCK of them is all zeros.
fn hash_range(fd: i32, offset: usize, length: usize, buffer: &mut [u8], source: &str) -> Result<(String, bool), OsFailure> {
    let mut hasher = blake3::Hasher::new();
    let mut holes = false;
    each_piece(fd, offset, length, buffer, source, |_, piece| {
        hasher.update(piece);
        // Random data stops each block's look at its first byte.
        holes = holes || piece.chunks(HOLE_BLOCK).any(|b| b.iter().all(|&x| x == 0));
        Ok(())
    })?;
    Ok((hasher.finalize().to_hex().to_string(), holes))
}

/// The chunk copied by the kernel from the source into `out`; where the file systems cannot (across kinds of file
/// system, or one without the call), through `buffer`.
fn kernel_copy(src: i32, out: i32, offset: usize, length: usize, buffer: &mut [u8], source: &str) -> Result<(), OsFailure> {
    let (mut from, mut to) = (offset as libc::loff_t, 0 as libc::loff_t);
    while (to as usize) < length {
        let n = unsafe { libc::copy_file_range(src, &mut from, out, &mut to, length - to as usize, 0) };
        if n > 0 { continue; }
        if n == 0 { return Err(changed(source)); }
        let errno = crate::os::last_errno();
        match errno {
            libc::EINTR => continue,
            // Written again from the start: each piece goes to its own offset.
            libc::EXDEV | libc::ENOSYS | libc::EOPNOTSUPP | libc::EINVAL => {
                return each_piece(src, offset, length, buffer, source, |pos, piece| write_all(out, piece, pos as i64).map_err(write_failure));
            }
            _ => return Err(write_failure(errno)),
        }
    }
    Ok(())
}

/// writeNonZeroSync's way: only the blocks that hold data are written, then the length set, so zeros stay holes.
fn write_data_blocks(src: i32, out: i32, offset: usize, length: usize, buffer: &mut [u8], source: &str) -> Result<(), OsFailure> {
    each_piece(src, offset, length, buffer, source, |pos, piece| {
        for (i, block) in piece.chunks(HOLE_BLOCK).enumerate() {
            if block.iter().any(|&x| x != 0) { write_all(out, block, (pos + i * HOLE_BLOCK) as i64).map_err(write_failure)?; }
        }
        Ok(())
    })?;
    if unsafe { libc::ftruncate(out, length as libc::off_t) } != 0 { return Err(failure("ftruncate", "")); }
    Ok(())
}

/// Whether the bytes copied are the bytes hashed: the source looks as it did before the hashing began and, when a
/// write could hide from its times, the copy hashes to the same digest (a copy that is short hashes to nothing).
fn copy_is_snapshot(src: i32, before: &Source, seen: i128, tmp: &str, length: usize, hex: &str, buffer: &mut [u8]) -> Result<bool, OsFailure> {
    if !same_source(before, &source_of(src)?) { return Ok(false); }
    if !may_hide_change(before, seen) { return Ok(true); }
    let copy: Fd = open(&c_path(tmp), libc::O_RDONLY, 0).ok_or_else(|| failure("open", tmp))?;
    match hash_range(copy.0, 0, length, buffer, tmp) {
        Ok((again, _)) => Ok(again == hex),
        Err(f) if f.errno == crate::source::CHANGED => Ok(false),
        Err(f) => Err(f),
    }
}
