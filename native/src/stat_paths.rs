//! `statEntries`: one lstat per entry of a version under a folder, spread over the cores, for the check that a version
//! placed there is still as the download left it (`stillPlaced` in store/reading/placed-check.ts is the twin). Each
//! folder on the way is opened once, without following a link, and its files are looked at relative to it.
use crate::os::{c_path, device, statx, Fd};
use napi::bindgen_prelude::{Buffer, Float64Array};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Numbers per entry: size, mtimeMs, ctimeMs, inode and device, each computed as Node computes the fields of a plain
/// `fs.lstatSync`; all NaN when the entry is not a regular file, or a folder on its way is not a real folder.
pub const FIELDS: usize = 5;

/// Entries per thread below which another thread costs more than it saves.
const PER_THREAD: usize = 2048;

/// `paths` are the version's entry paths below `root`, one per line, in path order (so a folder's files come together).
#[napi_derive::napi(js_name = "statEntries")]
pub fn stat_entries(root: String, paths: String) -> Float64Array {
    let entries = lines(&paths);
    let mut out = vec![f64::NAN; entries.len() * FIELDS];
    let Some(top) = crate::os::open(&c_path(&root), libc::O_PATH | libc::O_DIRECTORY, 0) else { return Float64Array::new(out) };
    let per = share(entries.len());
    std::thread::scope(|scope| {
        for (names, rows) in entries.chunks(per).zip(out.chunks_mut(per * FIELDS)) {
            let top = top.0;
            scope.spawn(move || {
                let mut folder = Folder { name: None, fd: None };
                for (name, row) in names.iter().zip(rows.chunks_mut(FIELDS)) { stat_entry(top, &mut folder, name, row) }
            });
        }
    });
    Float64Array::new(out)
}

/// `firstChanged`: as statEntries, compared here with the quick stamps the files had (`quick`, FIELDS numbers apiece,
/// compared as JavaScript's `!==` does, so NaN matches nothing): the index of the first entry whose stamp is not the
/// same, or -1 when every one is. A thread stops once a change before its next entry was found. The check that a
/// version placed in a folder is still there then makes no array of 20,000 stamps to go through again in JavaScript.
#[napi_derive::napi(js_name = "firstChanged")]
pub fn first_changed(root: String, paths: Buffer, quick: Float64Array) -> i64 {
    // Paths that are not text name no file a download placed: the first is then taken as changed.
    let Some(entries) = ended_lines(&paths) else { return 0 };
    let expected: &[f64] = &quick;
    if expected.len() != entries.len() * FIELDS { return 0; }
    let Some(top) = crate::os::open(&c_path(&root), libc::O_PATH | libc::O_DIRECTORY, 0) else { return if entries.is_empty() { -1 } else { 0 } };
    let first = AtomicUsize::new(usize::MAX);
    let per = share(entries.len());
    let look = |k: usize, names: &[&str], stamps: &[f64]| {
        let mut folder = Folder { name: None, fd: None };
        let mut row = [f64::NAN; FIELDS];
        for (j, (name, stamp)) in names.iter().zip(stamps.chunks(FIELDS)).enumerate() {
            let i = k * per + j;
            if first.load(Ordering::Relaxed) < i { return; }
            row.fill(f64::NAN);
            stat_entry(top.0, &mut folder, name, &mut row);
            if row.iter().zip(stamp).any(|(a, b)| a != b) {
                first.fetch_min(i, Ordering::Relaxed);
                return;
            }
        }
    };
    // The calling thread, which would only wait, takes the first share itself.
    std::thread::scope(|scope| {
        let mut shares = entries.chunks(per).zip(expected.chunks(per * FIELDS)).enumerate();
        let own = shares.next();
        for (k, (names, stamps)) in shares { scope.spawn(move || look(k, names, stamps)); }
        if let Some((k, (names, stamps))) = own { look(k, names, stamps) }
    });
    let first = first.into_inner();
    if first == usize::MAX { -1 } else { first as i64 }
}

fn lines(paths: &str) -> Vec<&str> {
    if paths.is_empty() { Vec::new() } else { paths.split('\n').collect() }
}

/// Lines each ended by a newline (as a state file holds its paths), as text; None when one is not UTF-8, or the last
/// is not ended.
fn ended_lines(bytes: &[u8]) -> Option<Vec<&str>> {
    let Some(body) = bytes.strip_suffix(b"\n") else { return if bytes.is_empty() { Some(Vec::new()) } else { None } };
    body.split(|b| *b == b'\n').map(|line| std::str::from_utf8(line).ok()).collect()
}

/// Entries per thread: the cores share them, unless there are too few to be worth another thread.
fn share(entries: usize) -> usize {
    let cores = cores();
    let threads = cores.min(entries.div_ceil(PER_THREAD)).max(1);
    entries.div_ceil(threads).max(1)
}

/// The cores this process may use, asked once: the answer reads the cgroup's files, which cost more than a thread.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

fn stat_entry<'a>(top: i32, folder: &mut Folder<'a>, name: &'a str, row: &mut [f64]) {
    let (dir, leaf) = name.rsplit_once('/').unwrap_or(("", name));
    if let Some(at) = folder.enter(top, dir) { stat_into(at, leaf, row) }
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
    let Some(st) = stat_leaf(dirfd, leaf) else { return };
    if u32::from(st.stx_mode) & libc::S_IFMT != libc::S_IFREG { return; }
    row.copy_from_slice(&[st.stx_size as f64, ms(st.stx_mtime), ms(st.stx_ctime), st.stx_ino as f64, device(&st) as f64]);
}

/// lstat of `leaf` in the folder open as `dirfd`. Its name goes with its NUL on the stack, with no allocation per file;
/// a longer one, or one holding a NUL (which names no file), takes c_path.
fn stat_leaf(dirfd: i32, leaf: &str) -> Option<libc::statx> {
    let mut name = [0u8; 256];
    if leaf.len() >= name.len() || leaf.as_bytes().contains(&0) { return statx(dirfd, &c_path(leaf), libc::AT_SYMLINK_NOFOLLOW); }
    name[..leaf.len()].copy_from_slice(leaf.as_bytes());
    statx(dirfd, std::ffi::CStr::from_bytes_until_nul(&name).ok()?, libc::AT_SYMLINK_NOFOLLOW)
}

/// Milliseconds as Node computes `mtimeMs` from seconds and nanoseconds (the same two operations, so the same double).
fn ms(t: libc::statx_timestamp) -> f64 {
    t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 / 1e6
}
