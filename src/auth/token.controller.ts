import { Body, Controller, Header, HttpCode, Post, Req } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiOAuthErrors } from '../http/formats/oauth.openapi.js';
import type { FastifyRequest } from 'fastify';
import { Public } from './auth.decorators.js';
import { TokenRequestDto, TokenResponseDto } from './dto/token-request.dto.js';
import { LoginService } from './login.service.js';

function basicCredentials(header: string | undefined): { id?: string; secret?: string } {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return {};
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return {};
  // RFC 6749 §2.3.1: both parts are form-urlencoded inside the Basic header.
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return part;
    }
  };
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

@ApiTags('Auth')
@Controller()
export class TokenController {
  constructor(private readonly login: LoginService) {}

  /** Issues an access token for the client_credentials grant (client_id = username). */
  @Public()
  @Post(['oauth/token', 'apiops/auth/token'])
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiOAuthErrors(400, 401, 429)
  issueAccessToken(@Body() body: TokenRequestDto, @Req() req: FastifyRequest): Promise<TokenResponseDto> {
    const basic = basicCredentials(req.headers.authorization);
    return this.login.issueToken({
      grantType: body.grant_type,
      clientId: body.client_id ?? basic.id,
      clientSecret: body.client_secret ?? basic.secret,
      address: req.ip,
    });
  }
}
