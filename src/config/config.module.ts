import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig, Env, parseAppConfig } from './app-config.js';

/** Injection token of the validated AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
const CONFIG_KEY = 'keyward';

/**
 * Reads the environment through @nestjs/config and validates it once. The `.env` file is not
 * read here: each process's entry point loads it into the environment first (loadEnvFile), so
 * the process and the app see the same settings.
 * `overrides` lets tests and the CLI run several differently configured instances in one
 * process; the validated object is never copied back into process.env.
 */
@Global()
@Module({})
export class KeywardConfigModule {
  static async forRoot(overrides: Env = {}): Promise<DynamicModule> {
    // Awaited here so a bad value rejects the caller at once instead of surfacing later.
    const configModule = await ConfigModule.forRoot({
      cache: true,
      ignoreEnvFile: true,
      validate: (env: Env) => ({ [CONFIG_KEY]: parseAppConfig({ ...env, ...overrides }) }),
    });
    return {
      module: KeywardConfigModule,
      imports: [configModule],
      providers: [
        {
          provide: APP_CONFIG,
          inject: [ConfigService],
          useFactory: (config: ConfigService) => config.getOrThrow<AppConfig>(CONFIG_KEY),
        },
      ],
      exports: [APP_CONFIG],
    };
  }
}
