import { type ArgumentMetadata, type PipeTransform, type Type, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, FieldError } from './problem.js';

/** Flattens class-validator's tree into `{field, message}` pairs with dotted paths. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/** Distinct path and query values remembered per DTO; past this the memory starts over. */
const REMEMBERED_PER_DTO = 10_000;
/** Longer values (as JSON) are validated every time: the memory stays under ~5 MB per DTO. */
const REMEMBERED_MAX_CHARS = 512;

type Outcome = { instance: object } | { fields: FieldError[] };

/** The metatypes ValidationPipe leaves unvalidated (its toValidate rule). */
const UNVALIDATED = new Set<unknown>([String, Boolean, Number, Array, Object, Buffer, Date]);

/**
 * Unknown properties are dropped; everything else must satisfy the DTO's rules
 * (ValidationPipe does the work).
 *
 * Path parameters and query strings are a few short strings whose validation depends on
 * nothing else, yet class-transformer plus class-validator and the promises around them cost
 * ~55 µs of CPU on a GET (a tenth of it, measured in-process): their outcome is remembered
 * per DTO and value, and custom decorators' values (the caller, its project) pass without a
 * promise. Bodies are validated every time.
 */
class RememberingValidationPipe implements PipeTransform {
  private readonly remembered = new Map<Type<unknown>, Map<string, Outcome>>();

  constructor(private readonly validation: ValidationPipe) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    // What ValidationPipe answers for them too: it validates no custom decorator's value.
    if (metadata.type === 'custom') return value;
    const { metatype } = metadata;
    if ((metadata.type !== 'param' && metadata.type !== 'query') || !metatype || UNVALIDATED.has(metatype)) {
      return this.validation.transform(value, metadata);
    }
    const key = JSON.stringify(value);
    if (key.length > REMEMBERED_MAX_CHARS) return this.validation.transform(value, metadata);
    return this.remember(value, key, metadata, metatype);
  }

  private async remember(value: unknown, key: string, metadata: ArgumentMetadata, metatype: Type<unknown>): Promise<unknown> {
    let outcomes = this.remembered.get(metatype);
    if (!outcomes) this.remembered.set(metatype, (outcomes = new Map()));
    let outcome = outcomes.get(key);
    if (!outcome) {
      outcome = await this.validation.transform(value, metadata).then(
        // Frozen: one instance now answers every request with this value.
        (instance: object): Outcome => ({ instance: Object.freeze(instance) }),
        (error: unknown): Outcome => {
          if (error instanceof AppError && error.kind === 'validation' && error.extra.fields) return { fields: error.extra.fields };
          throw error;
        },
      );
      if (outcomes.size >= REMEMBERED_PER_DTO) outcomes.clear();
      outcomes.set(key, outcome);
    }
    if ('fields' in outcome) throw AppError.validation(outcome.fields);
    return outcome.instance;
  }
}

export function createValidationPipe(): PipeTransform {
  return new RememberingValidationPipe(
    new ValidationPipe({
      transform: true,
      whitelist: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => AppError.validation(toFieldErrors(errors)),
    }),
  );
}
