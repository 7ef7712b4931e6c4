import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'keyward:public';

/** Marks a route that needs no token (health, metrics, the token endpoint). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
