/** Who is calling, as established by the authentication guard. */
export interface AuthPrincipal {
  userId: string;
  username: string;
  isAdmin: boolean;
  /** How the caller proved it: a Keyward-issued JWT, a personal access token, an external issuer's JWT, or operator access through the CLI. */
  tokenKind: 'jwt' | 'pat' | 'external' | 'cli';
  /** The JWT's `jti` or the personal access token's id. */
  tokenId?: string;
}

/** The operator running the command-line tool: it has direct database access, hence admin rights. */
export const CLI_PRINCIPAL: AuthPrincipal = { userId: '000000000000000000000000', username: 'cli', isAdmin: true, tokenKind: 'cli' };
