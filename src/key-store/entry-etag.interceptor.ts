import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { Observable, tap } from 'rxjs';

/** Sends the answered entry's version as its `ETag` (`"3"`), the value `If-Match` takes back. */
@Injectable()
export class EntryEtagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      tap((body: { data?: { version?: unknown } } | undefined) => {
        const version = body?.data?.version;
        if (typeof version === 'number') context.switchToHttp().getResponse<Response>().setHeader('ETag', `"${version}"`);
      }),
    );
  }
}
