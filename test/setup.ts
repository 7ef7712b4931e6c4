import 'reflect-metadata';
import { afterAll } from 'vitest';
import { recordedResponses } from './support/response-recorder.js';
import { findResponseMismatches } from './support/response-validation.js';

// Registered first, so it runs after the test file's own afterAll hooks (vitest runs them as a
// stack): every response the file's apps sent is checked against the committed openapi.json.
afterAll(() => {
  if (recordedResponses.length === 0) return;
  const mismatches = findResponseMismatches(recordedResponses);
  if (mismatches.length === 0) return;
  const lines = mismatches.map((m) => `  ${m.method} ${m.path} → ${m.status}: ${m.problem}${m.test ? `  [${m.test}]` : ''}`);
  throw new Error(`${mismatches.length} response(s) do not match openapi.json:\n${lines.join('\n')}`);
});
