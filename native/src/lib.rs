//! The store's hot loops as a Node-API addon: the per-file system calls of a download (checking that files are still
//! in place, placing small files, placing a large file's chunks) and of logging small files, without a JavaScript
//! call per file or a copy of each blob through a JavaScript buffer. Every function here does exactly what its JavaScript twin in `store/` does (see
//! `store/blobs/native.ts`); the store uses the addon when it was built and falls back to the twin when it was not.
mod blob_file;
mod os;
mod place_chunk;
mod place_chunks;
mod ingest_chunk;
mod ingest_small;
mod keep_fetched;
mod source;
mod place_small;
mod stat_paths;
mod names;
