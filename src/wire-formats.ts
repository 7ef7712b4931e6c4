import type { ErrorWireFormat } from './http/wire-format.js';

/** The error envelope of each API, matched by path prefix (see ApiExceptionFilter). */
export const ERROR_WIRE_FORMATS: ErrorWireFormat[] = [];
