import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export interface RequestContext {
  requestId: string;
  clientAddress?: string;
  userAgent?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The context of the request being served, if any (log lines and audit events use it). */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

// A caller-supplied id is echoed only when it is short and plain, so it cannot inject log content.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContextMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.get('x-request-id');
  const requestId = incoming && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', requestId);
  storage.run({ requestId, clientAddress: req.ip, userAgent: req.get('user-agent')?.slice(0, 256) }, next);
}
