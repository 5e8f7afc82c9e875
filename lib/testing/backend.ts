// Test helper: selects a backend once per test file.
import { useBackend, type BackendInfo } from '../backend/backends.js';

/** Activates `name` for the tests of a file. */
export async function withBackend(name = 'cpu'): Promise<BackendInfo> {
  return useBackend(name);
}
