import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProtectedTables } from '../crypto/protected-tables.js';
import { ENVIRONMENTS_TABLE, EnvironmentEntity } from './entities/environment.entity.js';
import { ProjectMemberEntity } from './entities/project-member.entity.js';
import { ProjectEntity } from './entities/project.entity.js';
import { EnvironmentsController } from './environments.controller.js';
import { EnvironmentsService } from './environments.service.js';
import { ProjectsController } from './projects.controller.js';
import { ProjectsService } from './projects.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([ProjectEntity, ProjectMemberEntity, EnvironmentEntity])],
  controllers: [ProjectsController, EnvironmentsController],
  providers: [ProjectsService, EnvironmentsService],
  exports: [ProjectsService],
})
export class ProjectKeysModule implements OnModuleInit {
  constructor(private readonly protectedTables: ProtectedTables) {}

  /** Webhook secrets are sealed values: rewrap and protectedRecords must walk them. */
  onModuleInit(): void {
    this.protectedTables.register(ENVIRONMENTS_TABLE);
  }
}
