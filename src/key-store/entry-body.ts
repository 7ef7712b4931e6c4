import { ArgumentMetadata, createParamDecorator, ExecutionContext, Injectable, PipeTransform } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createValidationPipe } from '../http/validation.js';

/**
 * Validates the body like @Body() and the global ValidationPipe, but hands over `data` exactly
 * as sent. That pipe deletes "__proto__", "constructor" and "prototype" keys at every depth of
 * a body; in a stored JSON object they are ordinary field names, so they are kept here and the
 * service only ever defines them as data properties (see shallowMerge), never assigns them.
 */
@Injectable()
export class EntryBodyPipe implements PipeTransform {
  private readonly validation = createValidationPipe();

  async transform(body: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const data = typeof body === 'object' && body !== null ? (body as { data?: unknown }).data : undefined;
    // A copy taken before validation strips those keys from the parsed body in place.
    const asSent: unknown = data === undefined ? undefined : JSON.parse(JSON.stringify(data));
    const dto = (await this.validation.transform(body, { ...metadata, type: 'body' })) as { data?: unknown };
    if (asSent !== undefined) dto.data = asSent;
    return dto;
  }
}

/** Custom parameter values skip the global ValidationPipe; EntryBodyPipe validates instead. */
const RawBody = createParamDecorator((_data: unknown, ctx: ExecutionContext): unknown => ctx.switchToHttp().getRequest<FastifyRequest>().body);

/** The request body as the parameter's DTO class, with `data` as sent (see EntryBodyPipe). */
export const EntryBody = () => RawBody(new EntryBodyPipe());
