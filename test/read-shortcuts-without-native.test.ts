import { afterAll } from 'vitest';
// Registers the same tests in this file; they run after this file's own top level below has set the road.
import './read-shortcuts.test';

// The download shortcuts again, on the JavaScript road (ARTIFACTS_NATIVE=0: what a machine without Rust runs), so
// both roads keep passing the same tests. Set before any test runs, so before any ingest thread of this file
// starts: threads copy the environment when they start.
process.env['ARTIFACTS_NATIVE'] = '0';
afterAll(() => {
  delete process.env['ARTIFACTS_NATIVE'];
});
