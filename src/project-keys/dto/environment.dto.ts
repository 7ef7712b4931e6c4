import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ENVIRONMENT_TYPES, type EnvironmentEntity, type EnvironmentType } from '../entities/environment.entity.js';

export class CreateEnvironmentDto {
  /** Unique in the project (case-insensitive). @example production */
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { message: 'name must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit' })
  name!: string;

  @IsIn(ENVIRONMENT_TYPES)
  type!: EnvironmentType;

  @IsOptional()
  @IsString()
  @Length(0, 1000)
  description?: string;
}

export class EnvironmentDto {
  id!: string;
  name!: string;
  type!: EnvironmentType;
  description!: string | null;
  createdAt!: string;
}

export class EnvironmentResponseDto {
  success!: boolean;
  environment!: EnvironmentDto;
}

export class EnvironmentListResponseDto {
  success!: boolean;
  resultList!: EnvironmentDto[];
  resultCount!: number;
}

export function mapEnvironment(environment: EnvironmentEntity): EnvironmentDto {
  return {
    id: environment.id,
    name: environment.name,
    type: environment.type,
    description: environment.description,
    createdAt: environment.createdAt.toISOString(),
  };
}
