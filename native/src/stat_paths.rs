//! `statEntries`: one lstat per entry of a version under a folder, spread over the cores, for the check that a version
//! placed there is still as the download left it (`stillPlaced` in store/reading/placed-check.ts is the twin). Each
//! folder on the way is opened once, without following a link, and its files are looked at relative to it.
use crate::os::{c_path, device, statx, Fd};
use napi::bindgen_prelude::Float64Array;

/// Numbers per entry: size, mtimeMs, ctimeMs, inode and device, each computed as Node computes the fields of a plain
/// `fs.lstatSync`; all NaN when the entry is not a regular file, or a folder on its way is not a real folder.
pub const FIELDS: usize = 5;

/// Entries per thread below which another thread costs more than it saves.
const PER_THREAD: usize = 2048;

/// `paths` are the version's entry paths below `root`, one per line, in path order (so a folder's files come together).
#[napi_derive::napi(js_name = "statEntries")]
pub fn stat_entries(root: String, paths: String) -> Float64Array {
    let entries: Vec<&str> = if paths.is_empty() { Vec::new() } else { paths.split('\n').collect() };
    let mut out = vec![f64::NAN; entries.len() * FIELDS];
    let Some(top) = crate::os::open(&c_path(&root), libc::O_PATH | libc::O_DIRECTORY, 0) else { return Float64Array::new(out) };
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let threads = cores.min(entries.len().div_ceil(PER_THREAD)).max(1);
    let per = entries.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        for (names, rows) in entries.chunks(per).zip(out.chunks_mut(per * FIELDS)) {
            let top = top.0;
            scope.spawn(move || {
                let mut folder = Folder { name: None, fd: None };
                for (name, row) in names.iter().zip(rows.chunks_mut(FIELDS)) {
                    let (dir, leaf) = name.rsplit_once('/').unwrap_or(("", name));
                    let at = folder.enter(top, dir);
                    if let Some(at) = at { stat_into(at, leaf, row) }
                }
            });
        }
    });
    Float64Array::new(out)
}

/// The folder this thread is looking into: opened below the root one name at a time, never through a link.
struct Folder<'a> {
    name: Option<&'a str>,
    /// None with a name: that folder could not be opened as a real folder.
    fd: Option<Fd>,
}

impl<'a> Folder<'a> {
    fn enter(&mut self, top: i32, dir: &'a str) -> Option<i32> {
        if self.name != Some(dir) {
            self.name = Some(dir);
            self.fd = open_below(top, dir);
        }
        if dir.is_empty() { Some(top) } else { self.fd.as_ref().map(|fd| fd.0) }
    }
}

fn open_below(top: i32, dir: &str) -> Option<Fd> {
    if dir.is_empty() { return None; }
    let mut at: Option<Fd> = None;
    for part in dir.split('/') {
        let from = at.as_ref().map_or(top, |fd| fd.0);
        let fd = unsafe { libc::openat(from, c_path(part).as_ptr(), libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC) };
        if fd < 0 { return None; }
        at = Some(Fd(fd));
    }
    at
}

fn stat_into(dirfd: i32, leaf: &str, row: &mut [f64]) {
    let Some(st) = statx(dirfd, &c_path(leaf), libc::AT_SYMLINK_NOFOLLOW) else { return };
    if u32::from(st.stx_mode) & libc::S_IFMT != libc::S_IFREG { return; }
    row.copy_from_slice(&[st.stx_size as f64, ms(st.stx_mtime), ms(st.stx_ctime), st.stx_ino as f64, device(&st) as f64]);
}

/// Milliseconds as Node computes `mtimeMs` from seconds and nanoseconds (the same two operations, so the same double).
fn ms(t: libc::statx_timestamp) -> f64 {
    t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 / 1e6
}
