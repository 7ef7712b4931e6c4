import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface PropertySchema {
  pattern?: string;
  example?: unknown;
}

const document = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')) as {
  components: { schemas: Record<string, { properties?: Record<string, PropertySchema> }> };
};

describe('openapi.json', () => {
  // A client that validates requests against the document would refuse what the API accepts
  // if a documented pattern were narrower than its own example.
  it('documents examples that satisfy their own patterns', () => {
    const checked: string[] = [];
    const broken: string[] = [];
    for (const [schemaName, schema] of Object.entries(document.components.schemas)) {
      for (const [property, { pattern, example }] of Object.entries(schema.properties ?? {})) {
        if (pattern === undefined || typeof example !== 'string') continue;
        checked.push(`${schemaName}.${property}`);
        if (!new RegExp(pattern, 'u').test(example)) broken.push(`${schemaName}.${property}: ${example}`);
      }
    }
    expect(checked).toContain('CryptoKeyInfoEnvironmentDTO.content');
    expect(broken).toEqual([]);
  });
});
