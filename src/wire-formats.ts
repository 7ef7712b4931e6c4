import { apinizerFormat } from './http/formats/apinizer.format.js';
import { appliveryFormat } from './http/formats/applivery.format.js';
import { chargeworxFormat } from './http/formats/chargeworx.format.js';
import { oauthFormat } from './http/formats/oauth.format.js';
import type { ErrorWireFormat } from './http/wire-format.js';

/** The error envelope of each API, matched by longest path prefix (see ApiExceptionFilter). */
export const ERROR_WIRE_FORMATS: ErrorWireFormat[] = [appliveryFormat, chargeworxFormat, apinizerFormat, oauthFormat];
