import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EnvironmentEntity } from './entities/environment.entity.js';
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
export class ProjectKeysModule {}
