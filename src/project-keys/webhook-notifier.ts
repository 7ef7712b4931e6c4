import { createHmac } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

/** What an environment's webhook is told: names and a version, never key material. */
export interface WebhookEvent {
  event: 'key.deployed' | 'key.undeployed';
  project: string;
  keyName: string;
  environment: string;
  version: number;
  /** When Keyward sent it (ISO 8601); lets a receiver refuse replays. */
  timestamp: string;
}

export type WebhookOutcome = { delivered: true } | { delivered: false; reason: string };

export const SIGNATURE_HEADER = 'X-Keyward-Signature';

/** `sha256=<hex HMAC-SHA256(secret, body)>`, what a receiver recomputes over the raw body. */
export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * POSTs deployment events to environment webhooks. Callers must not hold a transaction or a
 * row lock while this waits: a slow receiver would stall every writer of the key.
 */
@Injectable()
export class WebhookNotifier {
  private readonly logger = new Logger('WebhookNotifier');
  private readonly timeoutMs: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.timeoutMs = config.webhookTimeoutMs;
  }

  async notify(url: string, secret: string, event: WebhookEvent): Promise<WebhookOutcome> {
    const body = JSON.stringify(event);
    const outcome = await this.post(url, body, signWebhookBody(secret, body), event.event);
    if (!outcome.delivered) {
      this.logger.warn(`Webhook of environment ${event.environment} (project ${event.project}) failed: ${outcome.reason}`);
    }
    return outcome;
  }

  private async post(url: string, body: string, signature: string, event: string): Promise<WebhookOutcome> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signature, 'X-Keyward-Event': event, 'User-Agent': 'Keyward-Webhook' },
        body,
        // A redirect is not a 2xx: following it would send the event somewhere the admin did not configure.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      return response.ok ? { delivered: true } : { delivered: false, reason: `HTTP ${response.status}` };
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') return { delivered: false, reason: `no answer within ${this.timeoutMs} ms` };
      const code = ((error as Error).cause as { code?: unknown } | undefined)?.code;
      return { delivered: false, reason: `request failed${typeof code === 'string' ? ` (${code})` : ''}` };
    }
  }
}
