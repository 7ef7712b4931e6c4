import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KeyRingEntryEntity } from './entities/key-ring-entry.entity.js';
import { KeyRing } from './key-ring.js';
import { ProtectedTables } from './protected-tables.js';
import { RewrapService } from './rewrap.service.js';
import { ValueCipher } from './value-cipher.js';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([KeyRingEntryEntity])],
  providers: [KeyRing, ValueCipher, ProtectedTables, RewrapService],
  exports: [KeyRing, ValueCipher, ProtectedTables, RewrapService],
})
export class CryptoModule {}
