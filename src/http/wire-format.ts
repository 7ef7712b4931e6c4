import type { Problem } from './problem.js';

/** How one API renders a failure: its status, body and any extra headers. */
export interface ErrorRendering {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** One API's error envelope, chosen by path prefix so even unrouted requests answer in it. */
export interface ErrorWireFormat {
  readonly pathPrefixes: readonly string[];
  render(problem: Problem): ErrorRendering;
}
