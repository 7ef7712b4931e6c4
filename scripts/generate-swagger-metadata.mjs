// Runs the @nestjs/swagger compiler plugin over src/ and writes src/metadata.ts: the DTO and
// controller schemas (types, class-validator rules, doc comments) that SwaggerModule loads
// at run time. Plain JS so it needs no build; `npm run openapi` runs it.
import { PluginMetadataGenerator } from '@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator.js';
import { ReadonlyVisitor } from '@nestjs/swagger/plugin';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const outputDir = process.argv[2] ? resolve(process.argv[2]) : resolve(root, 'src');

new PluginMetadataGenerator().generate({
  visitors: [
    new ReadonlyVisitor({
      introspectComments: true,
      classValidatorShim: true,
      // Entities never leave the services, so only DTOs describe the API.
      dtoFileNameSuffix: ['.dto.ts'],
      esmCompatible: true,
      pathToSource: resolve(root, 'src'),
    }),
  ],
  outputDir,
  tsconfigPath: 'tsconfig.build.json',
  filename: 'metadata.ts',
  printDiagnostics: false,
});
