//! `namesStartingWith`: the names in a folder that start with a prefix, for the sweep of temp files killed
//! processes left (`removeDeadOwners` in store/owned-temps.ts takes them instead of listing the folder itself). A
//! download writes into each folder it changes, and listing one of 200 files made 200 strings in JavaScript to keep
//! none: here only the names that match cross over.
use std::os::unix::ffi::OsStrExt;

/// The names (not `.` or `..`) in `folder` that start with `prefix`; none when the folder cannot be listed.
#[napi_derive::napi(js_name = "namesStartingWith")]
pub fn names_starting_with(folder: String, prefix: String) -> Vec<String> {
    let Ok(listing) = std::fs::read_dir(&folder) else { return Vec::new() };
    listing
        .filter_map(Result::ok)
        .filter(|e| e.file_name().as_bytes().starts_with(prefix.as_bytes()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}
