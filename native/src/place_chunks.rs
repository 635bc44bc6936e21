//! `placeChunks`: many chunks of one large file placed at their offsets, each as `placeChunk` places one, on threads
//! of this call's own, off the JavaScript thread (a promise). Threads of Rust start in microseconds, where the ingest
//! pool's threads of JavaScript take 40-60 ms to load their code: that was a tenth of a 2 GiB download from the local
//! store, paid before its first byte. The twin is the pool road in store/reading/chunked-placing.ts.
use crate::os::OsFailure;
use crate::place_chunk::place;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

#[napi_derive::napi(object)]
pub struct ChunksPlaced {
    /// True when every chunk's blob was there and hashed to its digest. False: one was missing, had another size or
    /// did not match (no chunk started after it was found), and the file is not to be kept.
    pub placed: bool,
    pub failure: Option<OsFailure>,
}

#[napi_derive::napi(object)]
pub struct ChunkToPlace {
    pub blob_file: String,
    pub hex: String,
    pub size: f64,
    pub offset: f64,
}

pub struct PlaceChunks {
    chunks: Vec<ChunkToPlace>,
    fd: i32,
    threads: usize,
}

impl napi::Task for PlaceChunks {
    type Output = ChunksPlaced;
    type JsValue = ChunksPlaced;

    fn compute(&mut self) -> napi::Result<ChunksPlaced> {
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let wrong = AtomicBool::new(false);
        let failure: Mutex<Option<OsFailure>> = Mutex::new(None);
        let (chunks, fd) = (&self.chunks, self.fd);
        std::thread::scope(|scope| {
            for _ in 0..self.threads.clamp(1, chunks.len().max(1)) {
                scope.spawn(|| {
                    let mut buffer = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(c) = chunks.get(i) else { break };
                        match place(&c.blob_file, &c.hex, c.size as usize, fd, c.offset as i64, &mut buffer) {
                            Ok(true) => {}
                            Ok(false) => {
                                wrong.store(true, Ordering::Relaxed);
                                stop.store(true, Ordering::Relaxed);
                            }
                            Err(f) => {
                                failure.lock().unwrap().get_or_insert(f);
                                stop.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                });
            }
        });
        let failure = failure.into_inner().unwrap();
        Ok(ChunksPlaced { placed: failure.is_none() && !wrong.load(Ordering::Relaxed), failure })
    }

    fn resolve(&mut self, _env: napi::Env, output: ChunksPlaced) -> napi::Result<ChunksPlaced> {
        Ok(output)
    }
}

#[napi_derive::napi(js_name = "placeChunks")]
pub fn place_chunks(chunks: Vec<ChunkToPlace>, fd: i32, threads: u32) -> napi::bindgen_prelude::AsyncTask<PlaceChunks> {
    napi::bindgen_prelude::AsyncTask::new(PlaceChunks { chunks, fd, threads: threads as usize })
}
