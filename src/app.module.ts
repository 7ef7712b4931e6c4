import { DynamicModule, Module } from '@nestjs/common';
import type { Env } from './config/app-config.js';
import { KeywardConfigModule } from './config/config.module.js';
import { AdminKeyStoresModule } from './admin-keystores/admin-keystores.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CryptoModule } from './crypto/crypto.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { KeyStoreModule } from './key-store/key-store.module.js';
import { ProjectKeysModule } from './project-keys/project-keys.module.js';
import { ObservabilityModule } from './observability/observability.module.js';

@Module({})
export class AppModule {
  static async forRoot(env: Env = {}): Promise<DynamicModule> {
    return {
      module: AppModule,
      imports: [await KeywardConfigModule.forRoot(env), ObservabilityModule, DatabaseModule, AuditModule, AuthModule, CryptoModule, AdminKeyStoresModule, ProjectKeysModule, KeyStoreModule, HealthModule],
    };
  }
}
