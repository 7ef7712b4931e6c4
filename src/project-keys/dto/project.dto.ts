import { ArrayUnique, IsArray, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PROJECT_PERMISSIONS, type ProjectPermission } from '../../auth/project-permission.js';
import type { ProjectEntity } from '../entities/project.entity.js';

export class CreateProjectDto {
  /** Unique (case-insensitive). @example MyProject */
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { message: 'name must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit' })
  name!: string;

  @IsOptional()
  @IsString()
  @Length(0, 1000)
  description?: string;
}

export class ProjectDto {
  id!: string;
  name!: string;
  description!: string | null;
  createdBy!: string | null;
  createdAt!: string;
  /** What the caller may do in this project. */
  permissions!: ProjectPermission[];
}

export class ProjectResponseDto {
  success!: boolean;
  project!: ProjectDto;
}

export class ProjectListResponseDto {
  success!: boolean;
  resultList!: ProjectDto[];
  resultCount!: number;
}

export class ProjectNameParam {
  /** @example MyProject */
  @IsString()
  projectName!: string;
}

export class MemberParams extends ProjectNameParam {
  /** 24 hex digits. @example 65a1f0c2e4b0a1b2c3d4e5f6 */
  @Matches(/^[a-f0-9]{24}$/, { message: 'userId must be 24 lowercase hex digits' })
  userId!: string;
}

export class SetMemberPermissionsDto {
  /** The grants the user holds in the project afterwards (replaces the previous ones). */
  @IsArray()
  @ArrayUnique()
  @IsIn(PROJECT_PERMISSIONS, { each: true })
  permissions!: ProjectPermission[];
}

export class MemberDto {
  userId!: string;
  permissions!: ProjectPermission[];
}

export class MemberResponseDto {
  success!: boolean;
  member!: MemberDto;
}

export function mapProject(project: ProjectEntity, permissions: readonly ProjectPermission[]): ProjectDto {
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    createdBy: project.createdBy,
    createdAt: project.createdAt.toISOString(),
    permissions: [...permissions],
  };
}
