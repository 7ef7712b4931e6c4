import 'reflect-metadata';
import { loadEnvFile } from '../config/env-file.js';
import { runAdminCli } from './admin-cli.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

loadEnvFile();
const code = await runAdminCli(process.argv.slice(2), {
  env: { LOG_LEVEL: 'error', ...process.env },
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  readStdin,
});
process.exit(code);
