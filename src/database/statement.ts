/**
 * The parameters of a statement assembled from parts written in different services: each
 * part adds its values and writes the placeholder it gets back, so the parts never have to
 * agree on numbering.
 */
export class StatementParameters {
  constructor(readonly values: unknown[] = []) {}

  /** Adds `value`; answers its placeholder, cast to `type` where PostgreSQL could not infer it. */
  add(value: unknown, type?: string): string {
    this.values.push(value);
    return type ? `$${this.values.length}::${type}` : `$${this.values.length}`;
  }
}

/**
 * Several data-modifying statements as one: each becomes a WITH query of one statement, so
 * they commit together or not at all without a transaction, in one round trip. PostgreSQL runs
 * every data-modifying WITH query to completion whether or not it is read, and checks foreign
 * keys at the end of the statement, so a part may insert rows another part's rows reference.
 */
export function asOneStatement(parts: string[]): string {
  return `WITH ${parts.map((part, i) => `part${i} AS (${part})`).join(',\n')}\nSELECT 1`;
}
