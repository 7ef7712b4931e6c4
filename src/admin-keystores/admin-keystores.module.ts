import { Module } from '@nestjs/common';
import { AdminKeyStoresController } from './admin-keystores.controller.js';
import { KeyRingEntriesService } from './key-ring-entries.service.js';

@Module({
  controllers: [AdminKeyStoresController],
  providers: [KeyRingEntriesService],
})
export class AdminKeyStoresModule {}
