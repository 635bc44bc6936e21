//! Thin, checked wrappers over the system calls the addon makes, and the failure it hands back to JavaScript.
use std::ffi::CString;

/// A failed system call: the errno, the call and the path (empty: none, as for a write), which JavaScript turns into the
/// error Node would throw.
#[napi_derive::napi(object)]
pub struct OsFailure {
    pub errno: i32,
    pub syscall: String,
    pub path: String,
}

pub fn failure(syscall: &str, path: &str) -> OsFailure {
    OsFailure { errno: std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO), syscall: syscall.to_string(), path: path.to_string() }
}

/// A failed write, which names no path, as Node's do.
pub fn write_failure(errno: i32) -> OsFailure {
    OsFailure { errno, syscall: "write".into(), path: String::new() }
}

pub fn last_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
}

pub fn c_path(path: &str) -> CString {
    // A path with a NUL byte names no file: an empty string fails the call with ENOENT, as Node refuses it.
    CString::new(path).unwrap_or_default()
}

/// Closes a descriptor when dropped.
pub struct Fd(pub i32);

impl Drop for Fd {
    fn drop(&mut self) {
        unsafe { libc::close(self.0) };
    }
}

pub fn open(path: &CString, flags: i32, mode: u32) -> Option<Fd> {
    let fd = unsafe { libc::open(path.as_ptr(), flags | libc::O_CLOEXEC, mode) };
    if fd < 0 { None } else { Some(Fd(fd)) }
}

/// `open` of `name` relative to the folder open as `dirfd` (or to the working folder: `libc::AT_FDCWD`).
pub fn open_at(dirfd: i32, name: &CString, flags: i32, mode: u32) -> Option<Fd> {
    let fd = unsafe { libc::openat(dirfd, name.as_ptr(), flags | libc::O_CLOEXEC, mode) };
    if fd < 0 { None } else { Some(Fd(fd)) }
}

/// A folder the caller holds open while the addon works in it, named as JavaScript names it: `/proc/self/fd/N` (the
/// descriptor of this process that reaches it wherever it is now), or a plain path. Names in it are opened relative
/// to descriptor N, as the kernel would resolve the `/proc` name, without its walk through /proc for every file
/// (about 5 us of a 22 us create of a small file on the bench machine).
pub struct HeldFolder<'a> {
    path: &'a str,
    pub fd: i32,
}

impl<'a> HeldFolder<'a> {
    pub fn new(path: &'a str) -> Self {
        let fd = path.strip_prefix("/proc/self/fd/").and_then(|n| n.parse::<i32>().ok()).filter(|n| *n >= 0);
        HeldFolder { path, fd: fd.unwrap_or(libc::AT_FDCWD) }
    }

    /// What to hand `*at` calls (with `fd`) for `leaf` in the folder.
    pub fn name_of(&self, leaf: &str) -> CString {
        if self.fd == libc::AT_FDCWD { c_path(&self.path_of(leaf)) } else { c_path(leaf) }
    }

    /// `leaf`'s path as JavaScript names it, for errors.
    pub fn path_of(&self, leaf: &str) -> String {
        format!("{}/{leaf}", self.path)
    }
}

/// statx of a path (not following a final link) or, with an empty path, of a descriptor: as libuv asks, so the
/// numbers (the device above all) are those Node's stat calls give.
pub fn statx(dirfd: i32, path: &std::ffi::CStr, flags: i32) -> Option<libc::statx> {
    let mut st: libc::statx = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::statx(dirfd, path.as_ptr(), flags | libc::AT_NO_AUTOMOUNT, libc::STATX_BASIC_STATS, &mut st) };
    if r == 0 { Some(st) } else { None }
}

pub fn device(st: &libc::statx) -> u64 {
    libc::makedev(st.stx_dev_major, st.stx_dev_minor)
}

/// Reads into `buffer` until at least `enough` bytes are there, the buffer is full or the file ends; the bytes read.
/// A buffer one byte longer than `enough` then tells a file that is longer by its first read, and one that is exactly
/// `enough` long costs one read, not a second that finds the end.
pub fn read_enough(fd: i32, buffer: &mut [u8], enough: usize) -> Result<usize, i32> {
    let mut n = 0;
    while n < enough.min(buffer.len()) || (n == 0 && !buffer.is_empty()) {
        let got = unsafe { libc::pread(fd, buffer[n..].as_mut_ptr().cast(), buffer.len() - n, n as libc::off_t) };
        if got < 0 {
            let errno = last_errno();
            if errno == libc::EINTR { continue; }
            return Err(errno);
        }
        if got == 0 { break; }
        n += got as usize;
    }
    Ok(n)
}

/// The most bytes one write call hands the kernel (WRITE_PIECE in store/blobs/write-all.ts: writes of 2 MiB or more
/// ran about ten times slower on the bench machine).
pub const WRITE_PIECE: usize = 256 << 10;

/// Writes all of `bytes` at `offset` (-1: at the file's position), a WRITE_PIECE at a time.
pub fn write_all(fd: i32, bytes: &[u8], offset: i64) -> Result<(), i32> {
    let mut done = 0;
    while done < bytes.len() {
        let rest = &bytes[done..(done + WRITE_PIECE).min(bytes.len())];
        let wrote = unsafe {
            if offset < 0 { libc::write(fd, rest.as_ptr().cast(), rest.len()) } else { libc::pwrite(fd, rest.as_ptr().cast(), rest.len(), (offset + done as i64) as libc::off_t) }
        };
        if wrote < 0 {
            let errno = last_errno();
            if errno == libc::EINTR { continue; }
            return Err(errno);
        }
        done += wrote as usize;
    }
    Ok(())
}

/// Whether `bytes` hash (BLAKE3) to the lowercase hex digest `hex`.
pub fn blake3_matches(bytes: &[u8], hex: &str) -> bool {
    blake3::hash(bytes).to_hex().as_str() == hex
}

/// Closes a written file, reporting a failed close (a delayed write error) as Node's closeSync would.
pub fn close_checked(fd: Fd, path: &str) -> Result<(), OsFailure> {
    let raw = fd.0;
    std::mem::forget(fd);
    if unsafe { libc::close(raw) } != 0 { return Err(failure("close", path)); }
    Ok(())
}

/// Bytes read and hashed at a time, while they are in the CPU's cache (HASH_READ in store/blobs/digest.ts).
pub const HASH_READ: usize = 1 << 20;

/// One pread at `at` into `into` (retried when interrupted); the bytes read.
pub fn read_at(fd: i32, into: &mut [u8], at: usize) -> Result<usize, OsFailure> {
    loop {
        let got = unsafe { libc::pread(fd, into.as_mut_ptr().cast(), into.len(), at as libc::off_t) };
        if got >= 0 { return Ok(got as usize); }
        let errno = last_errno();
        if errno != libc::EINTR { return Err(OsFailure { errno, syscall: "read".into(), path: String::new() }); }
    }
}
