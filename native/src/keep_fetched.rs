//! `keepFetched`: a chunk fetched from a remote store, in a buffer of JavaScript's, checked against its digest while it
//! is written, a piece at a time, at its offset in the file being downloaded (a temp file the caller drops unless
//! every chunk matched), then, when it matched, into the read cache (a temp file renamed to its entry), off the
//! JavaScript thread (a promise). Each piece is hashed and written while it is in the CPU's cache. The twin is the
//! road through `getBytes` in store/reading/chunked-placing.ts (check, cache, then write).
//!
//! The cache's copy is written around the page cache (O_DIRECT) where the file system allows it: a download then
//! fills memory once, with the files it places, not twice. On the bench machine a 2 GiB download from S3 took 4.8-5.1
//! s this way against 10.5-13.5 s with both copies in memory (see docs/benchmarks.md). A chunk whose length is not a
//! whole number of DIRECT_BLOCKs, or a file system that refuses direct writes, gets a plain write instead.
use crate::os::{c_path, close_checked, failure, open, write_all, write_failure, Fd, OsFailure, WRITE_PIECE};
use std::cell::RefCell;
use napi::bindgen_prelude::{AsyncTask, Buffer};

#[napi_derive::napi(object)]
pub struct FetchedKept {
    /// True when the bytes hash to the digest: the cache holds them (when it was given) and they are in the file.
    pub matched: bool,
    /// A failed call: a write into the file names no path (as Node's do), one into the cache names its temp file.
    pub failure: Option<OsFailure>,
}

pub struct KeepFetched {
    bytes: Buffer,
    hex: String,
    cache_tmp: String,
    cache_entry: String,
    fd: i32,
    offset: i64,
}

impl KeepFetched {
    /// `created`: set once the cache's temp file exists, which the caller then removes unless it became the entry.
    fn run(&self, created: &mut bool) -> Result<bool, OsFailure> {
        let bytes: &[u8] = &self.bytes;
        let mut hasher = blake3::Hasher::new();
        for (i, piece) in bytes.chunks(WRITE_PIECE).enumerate() {
            hasher.update(piece);
            write_all(self.fd, piece, self.offset + (i * WRITE_PIECE) as i64).map_err(write_failure)?;
        }
        let matched = hasher.finalize().to_hex().as_str() == self.hex;
        if matched && !self.cache_tmp.is_empty() {
            let out = open_around_page_cache(&c_path(&self.cache_tmp), created).ok_or_else(|| failure("open", &self.cache_tmp))?;
            write_cache_copy(out.0, bytes).map_err(|errno| OsFailure { errno, syscall: "write".into(), path: self.cache_tmp.clone() })?;
            close_checked(out, &self.cache_tmp)?;
            if unsafe { libc::rename(c_path(&self.cache_tmp).as_ptr(), c_path(&self.cache_entry).as_ptr()) } != 0 {
                return Err(failure("rename", &self.cache_tmp));
            }
        }
        Ok(matched)
    }
}

/// Direct writes move whole blocks of this many bytes, from memory aligned to it, at offsets that are multiples of it
/// (4096 covers the 512-byte and 4 KiB blocks of common disks).
const DIRECT_BLOCK: usize = 4096;

/// A new file opened for writing around the page cache, or the usual way where the file system has no direct I/O.
/// `created` is set once a file of that name is this call's to remove.
fn open_around_page_cache(path: &std::ffi::CString, created: &mut bool) -> Option<Fd> {
    let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL;
    let direct = open(path, flags | libc::O_DIRECT, 0o600);
    // A file system without direct I/O refuses the flag (EINVAL) only after the exclusive create has made the file:
    // it is ours, so it is opened again without the flag (made anew if the refusal came first).
    if direct.is_some() || crate::os::last_errno() == libc::EINVAL { *created = true; }
    direct.or_else(|| if *created { open(path, libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC, 0o600) } else { None })
}

/// Writes `bytes` from offset 0 of `fd`: directly (from an aligned copy unless they lie aligned) when the file was
/// opened so and their length allows; else, or when the direct write is refused, with the flag cleared, through the
/// page cache.
fn write_cache_copy(fd: i32, bytes: &[u8]) -> Result<(), i32> {
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags & libc::O_DIRECT == 0 { return write_all(fd, bytes, 0); }
    if bytes.len().is_multiple_of(DIRECT_BLOCK) {
        // A fetch buffer placed by `directOffset` is written as it lies.
        let written = if (bytes.as_ptr() as usize).is_multiple_of(DIRECT_BLOCK) { write_all(fd, bytes, 0) } else {
            ALIGNED.with(|a| {
                let mut a = a.borrow_mut();
                let copy = aligned(&mut a, bytes.len());
                copy.copy_from_slice(bytes);
                write_all(fd, copy, 0)
            })
        };
        if written != Err(libc::EINVAL) { return written; }
    }
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_DIRECT) } != 0 { return Err(crate::os::last_errno()); }
    write_all(fd, bytes, 0)
}

thread_local! {
    /// Each thread's buffer for direct writes, grown to the largest chunk it wrote (4 MiB).
    static ALIGNED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// `len` bytes of `buffer` starting at a multiple of DIRECT_BLOCK in memory.
fn aligned(buffer: &mut Vec<u8>, len: usize) -> &mut [u8] {
    if buffer.len() < len + DIRECT_BLOCK { *buffer = vec![0; len + DIRECT_BLOCK]; }
    let skip = buffer.as_ptr().align_offset(DIRECT_BLOCK);
    &mut buffer[skip..skip + len]
}

impl napi::Task for KeepFetched {
    type Output = FetchedKept;
    type JsValue = FetchedKept;

    fn compute(&mut self) -> napi::Result<FetchedKept> {
        let mut created = false;
        let done = self.run(&mut created);
        if created && !matches!(done, Ok(true)) { unsafe { libc::unlink(c_path(&self.cache_tmp).as_ptr()) }; }
        Ok(match done {
            Ok(matched) => FetchedKept { matched, failure: None },
            Err(f) => FetchedKept { matched: false, failure: Some(f) },
        })
    }

    fn resolve(&mut self, _env: napi::Env, output: FetchedKept) -> napi::Result<FetchedKept> {
        Ok(output)
    }
}

/// `cache_tmp` empty: the cache is not written (it is off, or the chunk is larger than it).
#[napi_derive::napi(js_name = "keepFetched")]
pub fn keep_fetched(bytes: Buffer, hex: String, cache_tmp: String, cache_entry: String, fd: i32, offset: f64) -> AsyncTask<KeepFetched> {
    AsyncTask::new(KeepFetched { bytes, hex, cache_tmp, cache_entry, fd, offset: offset as i64 })
}

/// Where in `buffer` (how many bytes in) memory aligned for direct writes starts, so a fetch can read into a piece of it
/// that `keepFetched` writes to the cache without a copy.
#[napi_derive::napi(js_name = "directOffset")]
pub fn direct_offset(buffer: Buffer) -> u32 {
    buffer.as_ptr().align_offset(DIRECT_BLOCK) as u32
}
