import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProtectedTables } from '../crypto/protected-tables.js';
import { DeploymentsService } from './deployments.service.js';
import { ENVIRONMENTS_TABLE, EnvironmentEntity } from './entities/environment.entity.js';
import { KeyDeploymentEntity } from './entities/key-deployment.entity.js';
import { KEY_CONTENTS_TABLE, ProjectKeyContentEntity } from './entities/project-key-content.entity.js';
import { ProjectKeyEntity } from './entities/project-key.entity.js';
import { ProjectMemberEntity } from './entities/project-member.entity.js';
import { ProjectEntity } from './entities/project.entity.js';
import { EnvironmentsController } from './environments.controller.js';
import { EnvironmentsService } from './environments.service.js';
import { KeysController } from './keys.controller.js';
import { KeysService } from './keys.service.js';
import { ProjectsController } from './projects.controller.js';
import { ProjectsService } from './projects.service.js';
import { WebhookNotifier } from './webhook-notifier.js';

@Module({
  imports: [TypeOrmModule.forFeature([ProjectEntity, ProjectMemberEntity, EnvironmentEntity, ProjectKeyEntity, ProjectKeyContentEntity, KeyDeploymentEntity])],
  controllers: [ProjectsController, EnvironmentsController, KeysController],
  providers: [ProjectsService, EnvironmentsService, KeysService, DeploymentsService, WebhookNotifier],
  exports: [ProjectsService],
})
export class ProjectKeysModule implements OnModuleInit {
  constructor(private readonly protectedTables: ProtectedTables) {}

  /** Key contents and webhook secrets are sealed values: rewrap and protectedRecords must walk them. */
  onModuleInit(): void {
    this.protectedTables.register(KEY_CONTENTS_TABLE);
    this.protectedTables.register(ENVIRONMENTS_TABLE);
  }
}
