//! Where a blob lives in the local store, and whether one there can be reused (store/blobs/blob-layout.ts and
//! blob-freshness.ts).
use std::ffi::CString;

/// blobPath for a `blake3:` digest: `<root>/blake3/<first two hex digits>/<the rest>`.
pub fn blob_path(root: &str, hex: &str) -> String {
    format!("{root}/blake3/{}/{}", &hex[..2], &hex[2..])
}

/// reusableBlob: present with the expected size, and marked freshly written (garbage collection's grace period).
pub fn reusable_blob(file: &CString, size: usize) -> bool {
    let Some(st) = crate::os::statx(libc::AT_FDCWD, file, 0) else { return false };
    st.stx_size as usize == size && unsafe { libc::utimensat(libc::AT_FDCWD, file.as_ptr(), std::ptr::null(), 0) } == 0
}
