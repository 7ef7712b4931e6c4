import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AuthPrincipal } from '../auth/principal.js';
import type { ProjectAccess } from '../auth/project-access.service.js';
import { isUniqueViolation } from '../database/postgres-errors.js';
import { AppError } from '../http/problem.js';
import type { CreateEnvironmentDto } from './dto/environment.dto.js';
import { EnvironmentEntity } from './entities/environment.entity.js';

@Injectable()
export class EnvironmentsService {
  constructor(@InjectRepository(EnvironmentEntity) private readonly environments: Repository<EnvironmentEntity>) {}

  listEnvironments(access: ProjectAccess): Promise<EnvironmentEntity[]> {
    return this.environments.find({ where: { projectId: access.projectId }, order: { name: 'ASC' } });
  }

  async createEnvironment(principal: AuthPrincipal, access: ProjectAccess, dto: CreateEnvironmentDto): Promise<EnvironmentEntity> {
    const environment = this.environments.create({
      projectId: access.projectId,
      name: dto.name,
      type: dto.type,
      description: dto.description ?? null,
      createdBy: principal.userId,
    });
    try {
      await this.environments.insert(environment);
    } catch (error) {
      if (isUniqueViolation(error, 'environments_project_name_key')) {
        throw new AppError('bad_request', `Environment (name: ${dto.name}) is already exist!`);
      }
      throw error;
    }
    return (await this.environments.findOneBy({ id: environment.id }))!;
  }
}
