import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessTokenService } from './access-token.service.js';
import { AuthGuard } from './auth.guard.js';
import { Authenticator } from './authenticator.js';
import { PersonalAccessTokenEntity } from './entities/personal-access-token.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { ExternalTokenVerifier } from './external-token.verifier.js';
import { IdentityCache } from './identity-cache.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { LoginService } from './login.service.js';
import { PersonalAccessTokensController } from './personal-access-tokens.controller.js';
import { PersonalAccessTokensService } from './personal-access-tokens.service.js';
import { ProjectAccessService } from './project-access.service.js';
import { TokenController } from './token.controller.js';
import { UsersAdminController } from './users-admin.controller.js';
import { UsersService } from './users.service.js';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, PersonalAccessTokenEntity])],
  controllers: [TokenController, UsersAdminController, PersonalAccessTokensController],
  providers: [
    AccessTokenService,
    ExternalTokenVerifier,
    Authenticator,
    LoginThrottleService,
    LoginService,
    UsersService,
    PersonalAccessTokensService,
    ProjectAccessService,
    IdentityCache,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [UsersService, PersonalAccessTokensService, ProjectAccessService, IdentityCache],
})
export class AuthModule {}
