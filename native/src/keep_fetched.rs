//! `keepFetched`: a chunk fetched from a remote store, in a buffer of JavaScript's, checked against its digest while it
//! is written, a piece at a time, both into the read cache (a temp file renamed to its entry only when the bytes
//! match) and at its offset in the file being downloaded (a temp file the caller drops unless every chunk matched),
//! off the JavaScript thread (a promise). Each piece is hashed and written twice while it is in the CPU's cache. The
//! twin is the road through `getBytes` in store/reading/chunked-placing.ts (check, cache, then write).
use crate::os::{c_path, close_checked, failure, open, write_all, write_failure, OsFailure, WRITE_PIECE};
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
        let cache = if self.cache_tmp.is_empty() { None } else {
            Some(open(&c_path(&self.cache_tmp), libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL, 0o600).ok_or_else(|| failure("open", &self.cache_tmp))?)
        };
        *created = cache.is_some();
        let mut hasher = blake3::Hasher::new();
        for (i, piece) in bytes.chunks(WRITE_PIECE).enumerate() {
            hasher.update(piece);
            if let Some(out) = &cache {
                write_all(out.0, piece, (i * WRITE_PIECE) as i64).map_err(|errno| OsFailure { errno, syscall: "write".into(), path: self.cache_tmp.clone() })?;
            }
            write_all(self.fd, piece, self.offset + (i * WRITE_PIECE) as i64).map_err(write_failure)?;
        }
        let matched = hasher.finalize().to_hex().as_str() == self.hex;
        if let Some(out) = cache {
            close_checked(out, &self.cache_tmp)?;
            if matched && unsafe { libc::rename(c_path(&self.cache_tmp).as_ptr(), c_path(&self.cache_entry).as_ptr()) } != 0 {
                return Err(failure("rename", &self.cache_tmp));
            }
        }
        Ok(matched)
    }
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
