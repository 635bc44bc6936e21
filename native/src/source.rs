//! What a source file looked like at one moment, and whether it changed while it was read: the twins of SourceState,
//! sameSource and mayHideChange in store/blobs/source-file.ts.
use crate::os::{c_path, OsFailure};

/// What a source file looked like at one moment (see SourceState in store/blobs/source-file.ts).
#[derive(PartialEq)]
pub struct Source {
    pub ino: u64,
    pub size: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
    pub nlink: u32,
}

/// Calls on a descriptor (fstat, read) name no path when they fail, as Node's do.
pub fn source_of(fd: i32) -> Result<Source, OsFailure> {
    let st = crate::os::statx(fd, &c_path(""), libc::AT_EMPTY_PATH).ok_or_else(|| crate::os::failure("fstat", ""))?;
    Ok(Source { ino: st.stx_ino, size: st.stx_size, mtime_ns: ns(st.stx_mtime), ctime_ns: ns(st.stx_ctime), nlink: st.stx_nlink })
}

pub fn ns(t: libc::statx_timestamp) -> i128 {
    i128::from(t.tv_sec) * 1_000_000_000 + i128::from(t.tv_nsec)
}

/// sameSource: a new hard link moves only ctime, so ctime counts only while the link count stayed the same.
pub fn same_source(a: &Source, b: &Source) -> bool {
    a.ino == b.ino && a.size == b.size && a.mtime_ns == b.mtime_ns && (a.ctime_ns == b.ctime_ns || a.nlink != b.nlink)
}

/// mayHideChange: file times come from a coarse clock, so a write in the same tick as the first look may keep them.
pub fn may_hide_change(before: &Source, seen_ns: i128) -> bool {
    let whole_seconds = before.ctime_ns % 1_000_000_000 == 0 && before.mtime_ns % 1_000_000_000 == 0;
    before.ctime_ns + if whole_seconds { 2_000_000_000 } else { 100_000_000 } >= seen_ns
}

/// The wall clock as JavaScript's Date.now() gives it (whole milliseconds), in nanoseconds.
pub fn now_ns() -> i128 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i128::from(since.as_millis() as i64) * 1_000_000
}

pub const CHANGED: i32 = 0;

pub fn changed(path: &str) -> OsFailure {
    OsFailure { errno: CHANGED, syscall: String::new(), path: path.to_string() }
}

