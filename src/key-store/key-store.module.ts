import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProtectedTables } from '../crypto/protected-tables.js';
import { KeyStoreEntryEntity } from './entities/key-store-entry.entity.js';
import { KeyStoreController } from './key-store.controller.js';
import { KEY_STORE_TABLE, KeyStoreService } from './key-store.service.js';

/** `/v1/key-store`: JSON configuration entries in the Applivery wire format (SPEC §2, seeds 000/001). */
@Module({
  imports: [TypeOrmModule.forFeature([KeyStoreEntryEntity])],
  controllers: [KeyStoreController],
  providers: [KeyStoreService],
})
export class KeyStoreModule implements OnModuleInit {
  constructor(private readonly protectedTables: ProtectedTables) {}

  /** Rewrap and the key ring's `protectedRecords` counts walk the registered tables. */
  onModuleInit(): void {
    this.protectedTables.register(KEY_STORE_TABLE);
  }
}
