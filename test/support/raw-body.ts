/**
 * For supertest's `.serialize()`: sends a Buffer body as its bytes. Without it, a JSON
 * content type makes superagent send `{"type":"Buffer","data":[…]}`. (Its typing says the
 * serializer returns a string; a Buffer is written as is.)
 */
export const asBytes = (raw: Buffer) => raw as unknown as string;
